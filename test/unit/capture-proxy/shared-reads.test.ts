/**
 * Reads into the shared buffer, on both kinds of socket the proxy has: each listener gets its own copy of
 * each read (later reads, on any socket, must not change it), pausing holds reads back, and the end arrives.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { readAcceptedIntoShared, sharedReads } from '../../../src/capture-proxy/shared-reads';
import { until } from '../../support/until';

/** Waits for `condition`, checking every 5 ms for up to 1 s. */
const soon = (condition: () => boolean, what: string) => until(condition, what, 1000, 5);

describe('shared reads', () => {
  let server: Server;
  let port: number;
  const accepted: Socket[] = [];
  const acceptedChunks: Buffer[] = [];
  const acceptedEnded: boolean[] = [];
  let usedShared: boolean[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      const index = accepted.push(socket) - 1;
      usedShared.push(readAcceptedIntoShared(socket, (chunk) => acceptedChunks.push(chunk)));
      socket.on('end', () => {
        acceptedEnded[index] = true;
        socket.end('bye');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise((r) => server.close(r));
  });

  it('sets up accepted sockets on this Node, and hands each read over as a copy of its own', async () => {
    // GIVEN two clients of a server whose accepted sockets read into the shared buffer
    usedShared = [];
    acceptedChunks.length = 0;
    const first = connect({ port, host: '127.0.0.1' });
    const second = connect({ port, host: '127.0.0.1' });
    await soon(() => accepted.length >= 2, 'both connections accepted');

    // WHEN they write one after the other, each write read before the next is sent
    const texts = ['first client, one', 'second client, a longer one', 'first client, two'];
    for (const [i, text] of texts.entries()) {
      (i === 1 ? second : first).write(text);
      await soon(() => acceptedChunks.length > i, `read ${i + 1}`);
    }

    // THEN the fields Node's own onread uses were there, and every chunk kept its bytes after the later reads
    expect(usedShared).toEqual([true, true]);
    expect(acceptedChunks.map((chunk) => chunk.toString())).toEqual(texts);

    // WHEN a client ends
    first.end();

    // THEN the accepted socket sees the end
    await soon(() => acceptedEnded.some(Boolean), 'the end');
    second.destroy();
  });

  it('gives connected sockets copies too, holds reads back while paused, and ends', async () => {
    // GIVEN a connected socket reading into the shared buffer
    const chunks: Buffer[] = [];
    let ended = false;
    const socket = connect({ port, host: '127.0.0.1', onread: sharedReads((chunk) => chunks.push(chunk)) });
    socket.on('end', () => (ended = true));
    await new Promise((r) => socket.once('connect', r));
    await soon(() => accepted.length >= 3, 'the connection accepted');
    const peer = accepted[accepted.length - 1];

    // WHEN the peer writes while the socket is paused
    socket.pause();
    peer.write('while paused');
    await new Promise((r) => setTimeout(r, 100));

    // THEN nothing is read until it resumes
    expect(chunks).toEqual([]);
    socket.resume();
    await soon(() => chunks.length === 1, 'the read after resuming');

    // WHEN the peer writes again and the socket ends
    peer.write('then more');
    await soon(() => chunks.length === 2, 'the second read');
    socket.end();

    // THEN each chunk kept its own bytes, and the peer's answer to the end arrived with the end
    await soon(() => ended, 'the end');
    expect(chunks.map((chunk) => chunk.toString())).toEqual(['while paused', 'then more', 'bye']);
  });
});
