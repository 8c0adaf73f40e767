/**
 * Logs: JSON lines that redact secrets and personal data only (a non-secret value such as a URL
 * or a key description stays readable), and carry the request id of the request being served.
 */
import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/interfaces/http/log.js';
import { currentRequestId } from '../../../src/interfaces/http/request-id.js';
import { listen } from '../../../src/interfaces/http/tls.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, log: createLogger('info', stream) };
}

describe('logs', () => {
  it('redact secrets and personal data, nothing else', () => {
    const { lines, log } = capture();
    log.info(
      {
        pskUrl: 'https://eid.example:8444',
        keySource: 'PKCS#11 token "neid"',
        redis: 'redis://redis:6379',
        session: '0123456789ab',
        psk: Buffer.alloc(32, 1).toString('hex'),
        nested: { pin: '123456', password: 'pw', secret: 's', privateKey: 'k' },
        result: { fields: { chineseName: '王小明' }, photo: 'ffd8ff' },
        claims: { name: 'x' },
      },
      'line',
    );
    const l = lines[0]!;
    expect(l).toMatchObject({
      pskUrl: 'https://eid.example:8444',
      keySource: 'PKCS#11 token "neid"',
      redis: 'redis://redis:6379',
      session: '0123456789ab',
      psk: '[redacted]',
      nested: { pin: '[redacted]', password: '[redacted]', secret: '[redacted]', privateKey: '[redacted]' },
      result: { fields: '[redacted]', photo: '[redacted]' },
      claims: '[redacted]',
    });
    expect(JSON.stringify(l)).not.toContain('王小明');
  });

  it('every request on a listener gets an id: in X-Request-Id and in every line logged while serving it', async () => {
    const { lines, log } = capture();
    const server = createServer((_req, res) => {
      setTimeout(() => {
        log.info({ seen: currentRequestId() }, 'served');
        res.end('ok');
      }, 1);
    });
    const port = await listen(server, '127.0.0.1', 0);
    try {
      const a = await fetch(`http://127.0.0.1:${port}/`);
      const b = await fetch(`http://127.0.0.1:${port}/`);
      const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
      expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{16}$/);
      expect(ids[0]).not.toBe(ids[1]);
      expect(lines.map((l) => l.requestId)).toEqual(ids);
      expect(lines.map((l) => l.seen)).toEqual(ids);
      log.info({}, 'outside a request');
      expect(lines.at(-1)).not.toHaveProperty('requestId');
    } finally {
      server.close();
    }
  });
});
