/** A client that writes exact request bytes on one connection and keeps every byte it receives. */
import { connect } from 'node:net';

export interface RawExchange {
  sent: Buffer;
  received: Buffer;
}

/** Bytes to write, or a pause until the server has sent `until` (as a client waiting for `100 Continue` does). */
export type Piece = Buffer | { until: string };

/**
 * Writes each piece in order (pausing `gapMs` between them, so a piece can be a request or part of one)
 * and resolves with everything the server sent once it closes the connection.
 */
export function rawExchange(port: number, pieces: Piece[], gapMs = 0, timeoutMs = 30_000): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    /** The `until` piece being waited for, if any: checked on each read, and dropped once it has arrived. */
    let waiting: { text: string; arrived: () => void } | undefined;
    const check = () => {
      if (waiting && Buffer.concat(received).includes(waiting.text)) {
        waiting.arrived();
        waiting = undefined;
      }
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; received ${Buffer.concat(received).length} bytes`));
    }, timeoutMs);
    socket.on('data', (d: Buffer) => {
      received.push(d);
      check();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ sent: Buffer.concat(pieces.filter((piece) => Buffer.isBuffer(piece))), received: Buffer.concat(received) });
    });
    socket.on('connect', async () => {
      for (const piece of pieces) {
        if (!Buffer.isBuffer(piece)) {
          await new Promise<void>((arrived) => {
            waiting = { text: piece.until, arrived };
            check();
          });
          continue;
        }
        socket.write(piece);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

export function request(method: string, path: string, headers: Record<string, string> = {}, body?: string | Buffer): Buffer {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, 'host: localhost', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (payload && !Object.keys(headers).some((h) => h.toLowerCase() === 'transfer-encoding')) lines.push(`content-length: ${payload.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), payload ?? Buffer.alloc(0)]);
}

export function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const piece = body.subarray(i, i + size);
    parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}
