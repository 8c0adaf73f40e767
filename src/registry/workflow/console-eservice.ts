/**
 * The web console's own eService. Admins log in with their New eID card
 * through this server's OpenID Provider, so the console is an eService like any
 * other: a terminal certificate that grants no field at all — only Restricted
 * Identification, from which the pairwise subject is derived — and an OpenID
 * client (private_key_jwt, its key made here and kept sealed in the registry,
 * the same for every instance). It is set up when the first person is invited:
 * an application by the server itself, approved by the server, whose terminal
 * certificate the test DV issues at once — or, in production, whose request
 * awaits the Ministry's DV (`neid terminal request/import`) like any other.
 */
import { createPrivateKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { sealBytes, unsealBytes } from '../../crypto/aead.js';
import { appendAudit } from '../audit/chain.js';
import type { RegistryContext } from '../context.js';
import type { Queryable } from '../db/database.js';
import type { ApplicationForm, TerminalRecord } from '../model.js';
import { SYSTEM } from '../roles.js';
import { insertApplication } from '../store/applications.js';
import { defaultMnemonic, getEService, insertEService } from '../store/eservices.js';
import { getOidc } from '../store/frontends.js';
import { terminalsOf } from '../store/terminals.js';
import { SYSTEM_FORM } from './applications.js';
import { issueForApplication } from './decisions.js';
import { registerOidc } from './frontends.js';

export interface ConsoleClientKey {
  readonly privateKey: KeyObject;
  readonly publicJwk: JsonWebKey & { kid: string };
}

const KEY_NAME = 'console-oidc-client';
const aad = (name: string) => `neid-server-key:${name}`;

/** The console client's signing key (EC P-256): made once, sealed in the registry for every instance. */
export async function consoleClientKey(
  ctx: Pick<RegistryContext, 'db' | 'sealKey'>,
): Promise<ConsoleClientKey> {
  const read = async (q: Queryable) => {
    const [r] = await q.query<{ sealed: Uint8Array; public_jwk: JsonWebKey & { kid: string } }>(
      'SELECT sealed, public_jwk FROM neid.server_keys WHERE name = $1',
      [KEY_NAME],
    );
    return r
      ? {
          privateKey: createPrivateKey({
            key: unsealBytes(ctx.sealKey, aad(KEY_NAME), Buffer.from(r.sealed)),
            format: 'der',
            type: 'pkcs8',
          }),
          publicJwk: r.public_jwk,
        }
      : undefined;
  };
  const have = await read(ctx.db);
  if (have) return have;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = {
    ...publicKey.export({ format: 'jwk' }),
    kid: `console-${Date.now().toString(36)}`,
    use: 'sig',
    alg: 'ES256',
  };
  // Instances starting together: the first insert wins, everyone reads the winner.
  await ctx.db.query(
    'INSERT INTO neid.server_keys (name, sealed, public_jwk) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING',
    [
      KEY_NAME,
      sealBytes(ctx.sealKey, aad(KEY_NAME), privateKey.export({ format: 'der', type: 'pkcs8' })),
      JSON.stringify(jwk),
    ],
  );
  return (await read(ctx.db))!;
}

export interface ConsoleEServiceOptions {
  readonly id: string;
  /** `<publicUrl>/admin/callback`. */
  readonly redirectUri: string;
}

/** The 表8 form of the server's own application: no contact outside the Ministry, no host to check. */
const systemForm = (): ApplicationForm =>
  ({
    system: SYSTEM_FORM,
    purpose: 'N_eID-Server admin console: admins log in with their own New eID card',
  }) as unknown as ApplicationForm;

async function createConsoleEService(ctx: RegistryContext, id: string): Promise<void> {
  const app = await ctx.db.tx(async (q) => {
    const es = await insertEService(
      q,
      {
        id,
        displayName: { zh: 'N_eID-Server 管理主控台', en: 'N_eID-Server admin console' },
        purpose: { zh: '管理者以自己的新一代身分證登入', en: 'Admins log in with their own New eID card' },
        terminalMnemonic: defaultMnemonic(id),
        maxOpenSessions: 20,
      },
      'pending',
    );
    const at = ctx.now().toISOString();
    const a = await insertApplication(q, {
      eServiceId: es.id,
      kind: 'initial',
      status: 'approved',
      form: systemForm(),
      requestedFields: [],
      requestedFunctions: [],
      createdBy: SYSTEM.id,
      history: [
        { step: 'create', by: SYSTEM.id, at },
        {
          step: 'approve',
          by: SYSTEM.id,
          at,
          note: 'the server’s own card login: Restricted Identification only',
        },
      ],
    });
    await q.query(`UPDATE neid.applications SET decision = $2::jsonb, decided_at = now() WHERE id = $1`, [
      a.id,
      JSON.stringify({ outcome: 'approved', by: SYSTEM.id, at }),
    ]);
    await appendAudit(
      q,
      [
        {
          actor: SYSTEM.id,
          action: 'eservice.create',
          target: `eservice:${es.id}`,
          outcome: 'ok',
          details: { after: es },
        },
        {
          actor: SYSTEM.id,
          action: 'application.approve',
          target: `application:${a.id}`,
          outcome: 'ok',
          details: { eService: es.id, system: SYSTEM_FORM, requestedFields: [], requestedFunctions: [] },
        },
      ],
      ctx.now(),
    );
    return a;
  });
  await issueForApplication(ctx, SYSTEM, app.id);
}

/**
 * Makes sure the console's eService, terminal certificate (or its pending request) and OpenID
 * client exist, with the redirect URI of this installation. Returns its newest terminal record.
 */
export async function ensureConsoleEService(
  ctx: RegistryContext,
  o: ConsoleEServiceOptions,
): Promise<TerminalRecord | undefined> {
  const exists = await getEService(ctx.db, o.id).then(
    () => true,
    () => false,
  );
  if (!exists) {
    try {
      await createConsoleEService(ctx, o.id);
    } catch (e) {
      // Another instance made it meanwhile (conflict), else a real failure.
      if (
        !(await getEService(ctx.db, o.id).then(
          () => true,
          () => false,
        ))
      )
        throw e;
    }
  }
  const key = await consoleClientKey(ctx);
  const want = {
    client: {
      clientId: o.id,
      redirectUris: [o.redirectUri],
      profile: 'oidc',
      tokenEndpointAuthMethod: 'private_key_jwt',
      idTokenSignedResponseAlg: 'ES256',
      jwksDocument: { keys: [key.publicJwk] },
    },
  };
  const have = await getOidc(ctx.db, o.id);
  if (JSON.stringify(have?.settings) !== JSON.stringify(want))
    await registerOidc(ctx, SYSTEM, o.id, want as never);
  const terminals = await terminalsOf(ctx.db, o.id);
  return terminals[terminals.length - 1];
}
