/**
 * Requests Node's HTTP parser refuses before any route sees them — above
 * all a request line or headers beyond `maxHeaderSize` (an over-long
 * front-channel URL: a SAML Redirect or OAuth authorization request), which
 * Node would answer with a bare 431 and no log line. Here every such refusal
 * is logged (what was refused, where, why) and answered with a page: the one
 * a front-end registered for the path's prefix (an OAuth error page under
 * /oidc), or a plain one. RFC 6585 §5: 431 Request Header Fields Too Large.
 */
import type { Server } from 'node:https';
import type { Socket } from 'node:net';

/** A front-end's answer to a refused request under its prefix: HTML (or text) for the user. */
export type RefusalPage = (reason: string) => { readonly type: string; readonly body: string };

export interface ClientErrorLog {
  warn(o: object, m: string): void;
}

const DRAIN_MS = 5_000;

const REQUEST_LINE = /^([A-Z]{3,10}) (\/[^ ?\r\n]{0,200})/;

const STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'the request URL or its headers are too long',
  ],
  HPE_URI_TOO_LONG: [414, 'URI Too Long', 'the request URL is too long'],
};

export function answerClientErrors(
  server: Server,
  log: ClientErrorLog,
  pages: () => ReadonlyMap<string, RefusalPage>,
): void {
  const answered = new WeakSet<Socket>();
  // The start of the latest request on each connection: the parser reports an overflow with the
  // chunk that crossed the limit, which over TLS (16 KiB records) is not the one with the request line.
  const starts = new WeakMap<Socket, string>();
  server.on('secureConnection', (socket: Socket) => {
    socket.on('data', (chunk: Buffer) => {
      const head = chunk.subarray(0, 256).toString('latin1');
      if (REQUEST_LINE.test(head)) starts.set(socket, head);
    });
  });
  server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => {
    // The parser reports every further chunk of a refused request: answered once, drained below.
    if (answered.has(socket)) return;
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    answered.add(socket);
    const [status, text, reason] = STATUS[err.code ?? ''] ?? [
      400,
      'Bad Request',
      'the request is not valid HTTP',
    ];
    // The request line, when the refused packet begins with it: the path only, never the query.
    const line =
      REQUEST_LINE.exec(err.rawPacket?.subarray(0, 256).toString('latin1') ?? '') ??
      REQUEST_LINE.exec(starts.get(socket) ?? '');
    const path = line?.[2];
    log.warn(
      {
        status,
        code: err.code,
        reason,
        ...(line ? { method: line[1], path } : {}),
        remote: socket.remoteAddress,
      },
      'HTTP request refused before routing',
    );
    const prefix = path ? [...pages().keys()].find((p) => path === p || path.startsWith(`${p}/`)) : undefined;
    const page = prefix
      ? pages().get(prefix)!(reason)
      : { type: 'text/plain; charset=utf-8', body: `${text}: ${reason}.\n` };
    const body = Buffer.from(page.body, 'utf8');
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Type: ${page.type}\r\nContent-Length: ${body.length}\r\n` +
        'Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n',
    );
    socket.end(body);
    // Read (and drop) what the client is still sending, so that closing does not reset the
    // connection before the client has read the answer; then let go of it.
    socket.on('data', () => undefined);
    socket.resume();
    setTimeout(() => socket.destroy(), DRAIN_MS).unref();
  });
}
