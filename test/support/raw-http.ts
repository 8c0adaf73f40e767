/**
 * A GET over raw TLS that reads whatever the server answers until it closes, as a browser does —
 * also when the server answers before the request was completely sent (Node's HTTP client reports
 * such an early answer as "aborted").
 */
import { connect } from 'node:tls';

export function rawGet(url: string): Promise<{ status: number; headers: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      s.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nConnection: close\r\n\r\n`);
    });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', (e) => (chunks.length ? undefined : reject(e)));
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const i = text.indexOf('\r\n\r\n');
      const headers = text.slice(0, i);
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1] ?? 0),
        headers,
        body: text.slice(i + 4),
      });
    });
  });
}
