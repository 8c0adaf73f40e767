/**
 * TR-03130-4 modules A3 (eID-Interface), B3 (SAML) and C2 (eCard-API: C2_1
 * TLS-PSK, C2_2 attached) — the TR-03116-TS cases they refer to, as the
 * testbed's step files instantiate them: old protocol versions, weak suites,
 * unsupported curves and signature algorithms must end in a fatal alert; a
 * conforming client gets a TLS 1.2 (or 1.3) connection; CBC suites come with
 * Encrypt-then-MAC (RFC 7366). Raw ClientHellos (support/tls-probe.ts) offer
 * what no TLS library sends any more; full handshakes use node:tls.
 */
import { type ConnectionOptions, connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ops, startTestbed, type Testbed } from '../interfaces/soap/support/testbed.js';
import { EXT, GROUP, type Hello, probe, SIGALG, SUITE, VERSION } from './support/tls-probe.js';

let tb: Testbed;
beforeAll(async () => {
  tb = await startTestbed();
}, 180_000);
afterAll(async () => tb?.close());

const port = (url: string) => Number(new URL(url).port);
const listeners = {
  soap: () => port(tb.soap.url),
  web: () => port(tb.ts.web),
  psk: () => port(tb.ts.psk),
};
type Listener = keyof typeof listeners;

const GROUPS = [GROUP.secp256r1, GROUP.secp384r1];

/** A full handshake with node:tls; resolves with the negotiated protocol, or the error. */
function handshake(
  listener: Listener,
  o: ConnectionOptions,
): Promise<{ protocol?: string | null; error?: string }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: listeners[listener](), rejectUnauthorized: false, ...o });
    s.once('secureConnect', () => {
      // With TLS 1.3 a refused client certificate arrives after the handshake: wait for a reply.
      s.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      s.once('data', () => {
        resolve({ protocol: s.getProtocol() });
        s.destroy();
      });
    });
    s.once('error', (e) => resolve({ error: e.message }));
    s.once('close', () => resolve({ error: 'closed' }));
  });
}

async function expectFatalAlert(listener: Listener, hello: Hello) {
  const a = await probe(listeners[listener](), hello);
  expect(a.kind === 'alert' ? a.level : a.kind).toBe(2);
}

/** The cases every listener shares (TR-03116-TS B1/B2 as TR-03130-4 instantiates them). */
function refusals(
  listener: Listener,
  ids: { versions: string; suites: string; curves?: string; sigalgs?: string },
  suite: number,
  weak: number[],
) {
  for (const [name, version] of [
    ['SSL3', VERSION.ssl3],
    ['TLSv10', VERSION.tls10],
    ['TLSv11', VERSION.tls11],
  ] as const) {
    it(`EIDSERVER_${ids.versions}_${name}: a ${name} ClientHello → fatal alert`, async () => {
      await expectFatalAlert(listener, {
        version,
        suites: [suite],
        groups: GROUPS,
        sigalgs: [SIGALG.rsaSha256],
      });
    });
  }
  it(`EIDSERVER_${ids.suites}: only weak cipher suites → fatal alert`, async () => {
    await expectFatalAlert(listener, {
      version: VERSION.tls12,
      suites: weak,
      groups: GROUPS,
      sigalgs: [SIGALG.rsaSha1],
    });
  });
  if (ids.curves)
    it(`EIDSERVER_${ids.curves}: only secp192r1 and secp160r1 → fatal alert`, async () => {
      await expectFatalAlert(listener, {
        version: VERSION.tls12,
        suites: [suite],
        groups: [GROUP.secp192r1, GROUP.secp160r1],
        sigalgs: [SIGALG.rsaSha256],
      });
    });
  if (ids.sigalgs)
    it(`EIDSERVER_${ids.sigalgs}: only MD5 signatures → fatal alert`, async () => {
      await expectFatalAlert(listener, {
        version: VERSION.tls12,
        suites: [suite],
        groups: GROUPS,
        sigalgs: [SIGALG.rsaMd5],
      });
    });
}

/** CBC with Encrypt-then-MAC offered: the listener answers with an AEAD suite (EtM moot) — its only suites. */
function etm(listener: Listener, id: string) {
  it(`EIDSERVER_${id}: CBC with Encrypt-then-MAC offered besides AES-GCM → AES-GCM (the listener offers AEAD suites only; deviation: no CBC suite to pair with EtM)`, async () => {
    const a = await probe(listeners[listener](), {
      version: VERSION.tls12,
      suites: [SUITE.ECDHE_RSA_AES128_CBC_SHA, SUITE.ECDHE_RSA_AES128_GCM_SHA256],
      groups: GROUPS,
      sigalgs: [SIGALG.rsaSha256],
      encryptThenMac: true,
    });
    expect(a).toMatchObject({
      kind: 'server-hello',
      version: VERSION.tls12,
      suite: SUITE.ECDHE_RSA_AES128_GCM_SHA256,
    });
  });
}

describe('A3: TLS of the eID-Interface (mutual TLS)', () => {
  const client = () => ({ key: tb.material().keyPem, cert: tb.material().certPem });
  it('EIDSERVER_A3_01: the registered client certificate gets TLS 1.2 and TLS 1.3', async () => {
    expect(await handshake('soap', { ...client(), maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2' });
    expect(await handshake('soap', client())).toEqual({ protocol: 'TLSv1.3' });
  });
  refusals(
    'soap',
    { versions: 'A3_02', suites: 'A3_03', curves: 'A3_04', sigalgs: 'A3_05' },
    SUITE.ECDHE_RSA_AES128_CBC_SHA,
    [SUITE.DHE_RSA_3DES_EDE_CBC_SHA, SUITE.DHE_RSA_AES128_CBC_SHA, SUITE.DHE_RSA_AES256_CBC_SHA],
  );
  it('EIDSERVER_A3_06: no client certificate → refused', async () => {
    expect((await handshake('soap', { maxVersion: 'TLSv1.2' })).error).toBeDefined();
    expect((await handshake('soap', {})).error).toBeDefined();
  });
  etm('soap', 'A3_07');
});

describe('B3: TLS of the SAML interface (web listener)', () => {
  it('EIDSERVER_B3_01: a conforming client gets TLS 1.2 and TLS 1.3', async () => {
    expect(await handshake('web', { maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2' });
    expect(await handshake('web', {})).toEqual({ protocol: 'TLSv1.3' });
  });
  refusals(
    'web',
    { versions: 'B3_02', suites: 'B3_03', curves: 'B3_04', sigalgs: 'B3_05' },
    SUITE.ECDHE_RSA_AES128_CBC_SHA,
    [SUITE.DHE_RSA_3DES_EDE_CBC_SHA, SUITE.DHE_RSA_AES128_CBC_SHA, SUITE.DHE_RSA_AES256_CBC_SHA],
  );
  etm('web', 'B3_06');
});

describe('C2_1: TLS-PSK of the eCard-API (TLS-2)', () => {
  const session = async () => {
    const u = await tb.client().useId({ operations: ops('REQUIRED', 'chineseName') });
    return u.granted!;
  };
  const pskHello = (suites: number[], extra: Partial<Hello> = {}): Hello => ({
    version: VERSION.tls12,
    suites,
    groups: GROUPS,
    sigalgs: [SIGALG.rsaSha256],
    ...extra,
  });

  it('EIDSERVER_C2_1_01: the session PSK gets a TLS 1.2 RSA-PSK connection', async () => {
    const g = await session();
    const r = await handshake('psk', {
      maxVersion: 'TLSv1.2',
      ciphers: 'RSA-PSK-AES256-GCM-SHA384:RSA-PSK-AES128-CBC-SHA256',
      pskCallback: () => ({ psk: g.psk.key, identity: g.psk.id }),
    });
    expect(r).toEqual({ protocol: 'TLSv1.2' });
  });
  for (const [name, version] of [
    ['SSL3', VERSION.ssl3],
    ['TLSv10', VERSION.tls10],
    ['TLSv11', VERSION.tls11],
  ] as const) {
    it(`EIDSERVER_C2_1_02_${name}: a ${name} ClientHello → fatal alert`, async () => {
      await expectFatalAlert('psk', pskHello([SUITE.RSA_PSK_AES256_CBC_SHA], { version }));
    });
  }
  it('EIDSERVER_C2_1_03: RSA-PSK with RC4, 3DES or AES-CBC-SHA only → fatal alert', async () => {
    await expectFatalAlert(
      'psk',
      pskHello([SUITE.RSA_PSK_RC4_128_SHA, SUITE.RSA_PSK_3DES_EDE_CBC_SHA, SUITE.RSA_PSK_AES128_CBC_SHA]),
    );
  });
  it('EIDSERVER_C2_1_04: a PSK the server did not issue → the handshake fails', async () => {
    const g = await session();
    const wrongKey = await handshake('psk', {
      maxVersion: 'TLSv1.2',
      ciphers: 'RSA-PSK-AES256-GCM-SHA384',
      pskCallback: () => ({ psk: Buffer.alloc(64, 0xaa), identity: g.psk.id }),
    });
    expect(wrongKey.error).toBeDefined();
    const unknownIdentity = await handshake('psk', {
      maxVersion: 'TLSv1.2',
      ciphers: 'RSA-PSK-AES256-GCM-SHA384',
      pskCallback: () => ({ psk: g.psk.key, identity: 'AA'.repeat(32) }),
    });
    expect(unknownIdentity.error).toBeDefined();
  });
  it('EIDSERVER_C2_1_05: RSA-PSK with AES-CBC → Encrypt-then-MAC negotiated (TLS_RSA_PSK_WITH_AES_128_CBC_SHA256; the SHA-1 suite is not offered, TR-03116-4 table 3)', async () => {
    const a = await probe(
      listeners.psk(),
      pskHello([SUITE.RSA_PSK_AES128_CBC_SHA256], { encryptThenMac: true }),
    );
    expect(a).toMatchObject({
      kind: 'server-hello',
      version: VERSION.tls12,
      suite: SUITE.RSA_PSK_AES128_CBC_SHA256,
    });
    expect(a.kind === 'server-hello' && a.extensions).toContain(EXT.encryptThenMac);
    expect(a.kind === 'server-hello' && a.extensions).toContain(EXT.extendedMasterSecret);
    await expectFatalAlert('psk', pskHello([SUITE.RSA_PSK_AES256_CBC_SHA], { encryptThenMac: true }));
  });
});

describe('C2_2: TLS of the eCard-API in attached mode (web listener)', () => {
  it('EIDSERVER_C2_2_01: a conforming client gets TLS 1.2 (what attached mode needs)', async () => {
    expect(await handshake('web', { maxVersion: 'TLSv1.2' })).toEqual({ protocol: 'TLSv1.2' });
  });
  for (const [name, version] of [
    ['SSL3', VERSION.ssl3],
    ['TLSv10', VERSION.tls10],
  ] as const) {
    it(`EIDSERVER_C2_2_02_${name}: a ${name} ClientHello → fatal alert`, async () => {
      await expectFatalAlert('web', {
        version,
        suites: [SUITE.ECDHE_RSA_AES128_CBC_SHA],
        groups: GROUPS,
        sigalgs: [SIGALG.rsaSha256],
      });
    });
  }
  it('EIDSERVER_C2_2_03: RSA-PSK suites on the attached listener → fatal alert', async () => {
    await expectFatalAlert('web', {
      version: VERSION.tls12,
      suites: [SUITE.RSA_PSK_RC4_128_SHA, SUITE.RSA_PSK_3DES_EDE_CBC_SHA, SUITE.RSA_PSK_AES128_CBC_SHA],
      groups: GROUPS,
      sigalgs: [SIGALG.rsaSha1],
    });
  });
  it('EIDSERVER_C2_2_04: only secp192r1 and secp160r1 → fatal alert', async () => {
    await expectFatalAlert('web', {
      version: VERSION.tls12,
      suites: [SUITE.ECDHE_RSA_AES128_CBC_SHA256],
      groups: [GROUP.secp192r1, GROUP.secp160r1],
      sigalgs: [SIGALG.rsaSha256],
    });
  });
  it('EIDSERVER_C2_2_05: only MD5 signatures → fatal alert', async () => {
    await expectFatalAlert('web', {
      version: VERSION.tls12,
      suites: [SUITE.ECDHE_RSA_AES128_CBC_SHA],
      groups: GROUPS,
      sigalgs: [SIGALG.rsaMd5],
    });
  });
  etm('web', 'C2_2_06');
});
