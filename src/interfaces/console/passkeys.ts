/**
 * Passkeys (WebAuthn Level 3, @simplewebauthn/server) of console admins. A
 * person adds one after a fresh card login; it must be discoverable (resident)
 * and verify the user (PIN or biometrics on the authenticator), so that it is a
 * second strong factor of its own. The relying party id is the host of
 * `web.publicUrl` — a DNS name (browsers refuse IP addresses as RP ids). Each
 * challenge is kept server-side (the session row, or the login state bound to
 * the browser) and used once; the signature counter is checked and stored.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { RegistryContext } from '../../registry/context.js';
import { type AccountRecord, type CredentialRecord, getAccount } from '../../registry/store/accounts.js';
import { setSessionChallenge } from '../../registry/store/console-sessions.js';
import { passkeyById, passkeysOf, usePasskey } from '../../registry/store/people.js';
import { addPasskey } from '../../registry/workflow/people.js';
import { LoginFailed } from './oidc-client.js';
import type { Viewer } from './session.js';

type Json = Record<string, unknown>;

export class Passkeys {
  readonly ctx: Pick<RegistryContext, 'db' | 'now'>;
  readonly rpId: string;
  readonly origin: string;

  constructor(
    private readonly o: { readonly ctx: Pick<RegistryContext, 'db' | 'now'>; readonly publicUrl: string },
  ) {
    this.ctx = o.ctx;
    const u = new URL(o.publicUrl);
    this.rpId = u.hostname;
    this.origin = u.origin;
  }

  get db(): RegistryContext['db'] {
    return this.ctx.db;
  }

  /** Options for navigator.credentials.create(); the challenge waits in the session. */
  async registrationOptions(v: Viewer): Promise<Json> {
    const existing = await passkeysOf(this.o.ctx.db, v.account.id);
    const options = await generateRegistrationOptions({
      rpName: 'N_eID-Server admin console',
      rpID: this.rpId,
      userName: v.account.id,
      userDisplayName: v.account.name,
      userID: new TextEncoder().encode(v.account.id),
      attestationType: 'none',
      excludeCredentials: existing.map((c) => ({ id: c.webauthnId! })),
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    });
    await setSessionChallenge(this.o.ctx.db, v.session.idHash, options.challenge);
    return options as unknown as Json;
  }

  /** Verifies the new credential against the session's challenge and keeps it. */
  async register(v: Viewer, body: Json): Promise<CredentialRecord> {
    const challenge = v.session.challenge;
    await setSessionChallenge(this.o.ctx.db, v.session.idHash, null);
    if (!challenge) throw new LoginFailed('no-challenge', 'ask for registration options first');
    const name =
      typeof body.name === 'string' && body.name.trim() ? body.name.trim().slice(0, 60) : 'passkey';
    let result: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      result = await verifyRegistrationResponse({
        response: body.response as never,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        requireUserVerification: true,
      });
    } catch (e) {
      throw new LoginFailed('invalid-passkey', (e as Error).message);
    }
    if (!result.verified) throw new LoginFailed('invalid-passkey', 'the registration did not verify');
    const c = result.registrationInfo.credential;
    return addPasskey(this.o.ctx, v.principal, v.account.id, c.id, {
      publicKey: Buffer.from(c.publicKey).toString('base64url'),
      counter: c.counter,
      ...(c.transports ? { transports: c.transports } : {}),
      name,
    });
  }

  /** Options for navigator.credentials.get() (discoverable credentials: no list sent). */
  loginOptions(): Promise<Json> {
    return generateAuthenticationOptions({ rpID: this.rpId, userVerification: 'required' }) as Promise<never>;
  }

  /**
   * The account whose passkey signed the challenge. A failure names the account when the
   * credential was one of ours (the lock counts it), never when it was unknown.
   */
  async verify(challenge: string, body: Json): Promise<AccountRecord> {
    const response = body.response as { id?: unknown } | undefined;
    const id =
      typeof response?.id === 'string' && /^[A-Za-z0-9_-]{1,1400}$/.test(response.id) ? response.id : '';
    const cred = id ? await passkeyById(this.o.ctx.db, id) : undefined;
    if (!cred?.webauthn) throw new LoginFailed('unknown-passkey', 'this passkey is not registered');
    const fail = (reason: string): never => {
      throw Object.assign(new LoginFailed('invalid-passkey', reason), { accountId: cred.accountId });
    };
    let r: Awaited<ReturnType<typeof verifyAuthenticationResponse>> | undefined;
    try {
      r = await verifyAuthenticationResponse({
        response: response as never,
        expectedChallenge: challenge,
        expectedOrigin: this.origin,
        expectedRPID: this.rpId,
        credential: {
          id: cred.webauthnId!,
          publicKey: Buffer.from(cred.webauthn.publicKey, 'base64url'),
          counter: cred.webauthn.counter,
          ...(cred.webauthn.transports ? { transports: cred.webauthn.transports as never } : {}),
        },
        requireUserVerification: true,
      });
    } catch (e) {
      fail((e as Error).message);
    }
    if (!r?.verified) fail('the passkey signature did not verify');
    await usePasskey(
      this.o.ctx.db,
      cred.id,
      { ...cred.webauthn, counter: r!.authenticationInfo.newCounter },
      this.o.ctx.now(),
    );
    return getAccount(this.o.ctx.db, cred.accountId);
  }
}
