/** A loopback origin for proxy tests: reads each request's body, then answers with a fixed-length body. */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface AnsweringOrigin {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts it on a free port; by default every answer is `answer to <method> <url>`. */
export async function startAnsweringOrigin(answer: (req: IncomingMessage) => string | Buffer = (req) => `answer to ${req.method} ${req.url}`): Promise<AnsweringOrigin> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = answer(req);
      res.writeHead(200, { 'content-length': Buffer.byteLength(body) }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { server, port, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
