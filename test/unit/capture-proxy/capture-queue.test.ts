/** The capture queue: records of many connections in one send, never two sends in flight for one connection. */
import { CaptureQueue, QueuedConnection } from '../../../src/capture-proxy/capture-queue';
import { type CaptureRecord, wholeRecord } from '../../../src/capture-proxy/connection-capture';
import type { CaptureSink } from '../../../src/capture-proxy/capture-sink';

/** A sink whose sends stay pending until the test settles them. */
class ManualSink implements CaptureSink {
  readonly description = 'manual';
  readonly sends: { keys: string[]; resolve: () => void; reject: (error: Error) => void }[] = [];
  send(record: CaptureRecord): Promise<void> {
    return this.sendBatch([record]);
  }
  sendBatch(records: CaptureRecord[]): Promise<void> {
    return new Promise((resolve, reject) => this.sends.push({ keys: records.map((r) => r.key), resolve, reject }));
  }
  async close(): Promise<void> {}
}

const record = (key: string, bytes = 10): CaptureRecord => wholeRecord(key, new Uint8Array(bytes));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function setup(maxInFlight = 4, maxSendBytes = 1 << 20, maxHeldBytes = 1 << 30, lingerMs = 0) {
  const sink = new ManualSink();
  const counts = { sent: 0, lost: 0 };
  const queue = new CaptureQueue({ sink, maxInFlight, maxSendBytes, maxHeldBytes, lingerMs, onSent: (n) => (counts.sent += n), onLost: (n) => (counts.lost += n) });
  return { sink, counts, queue };
}

describe('CaptureQueue', () => {
  it('sends what several connections queued in one turn together, each connection in order', async () => {
    // GIVEN three connections queuing records in one turn
    const { sink, queue, counts } = setup();
    const [a, b, c] = [new QueuedConnection(), new QueuedConnection(), new QueuedConnection()];
    queue.add(a, [record('a1')]);
    queue.add(b, [record('b1'), record('b2')]);
    queue.add(a, [record('a2')]);
    queue.add(c, []);

    // WHEN the turn ends
    expect(sink.sends).toHaveLength(0);
    await nextTurn();

    // THEN one send carries them all, each connection's records in the order they came
    expect(sink.sends.map((s) => s.keys)).toEqual([['a1', 'a2', 'b1', 'b2']]);
    sink.sends[0].resolve();
    await nextTurn();
    expect(counts).toEqual({ sent: 4, lost: 0 });
  });

  it('holds a connection back while its send is in flight, but not the other connections', async () => {
    // GIVEN connection a with a send in flight
    const { sink, queue } = setup();
    const [a, b] = [new QueuedConnection(), new QueuedConnection()];
    queue.add(a, [record('a1')]);
    await nextTurn();

    // WHEN both queue more
    queue.add(a, [record('a2')]);
    queue.add(b, [record('b1')]);
    await nextTurn();

    // THEN only b goes now; a's next record goes once its first send is done
    expect(sink.sends.map((s) => s.keys)).toEqual([['a1'], ['b1']]);
    sink.sends[0].resolve();
    await nextTurn();
    expect(sink.sends.map((s) => s.keys)).toEqual([['a1'], ['b1'], ['a2']]);
  });

  it('resolves durable once the send with the records is done, and rejects and counts when it fails', async () => {
    const { sink, queue, counts } = setup();
    const a = new QueuedConnection();
    await expect(queue.durable(a)).resolves.toBeUndefined();

    queue.add(a, [record('a1')]);
    let first = 'pending';
    void queue.durable(a).then(() => (first = 'resolved'));
    await nextTurn();
    queue.add(a, [record('a2'), record('a3')]);
    const second = queue.durable(a);
    expect(first).toBe('pending');
    sink.sends[0].resolve();
    await nextTurn();
    expect(first).toBe('resolved');

    sink.sends[1].reject(new Error('broker gone'));
    await expect(second).rejects.toThrow('broker gone');
    expect(counts).toEqual({ sent: 1, lost: 2 });
    // A connection whose send failed sends again later.
    queue.add(a, [record('a4')]);
    await nextTurn();
    expect(sink.sends.map((s) => s.keys)).toEqual([['a1'], ['a2', 'a3'], ['a4']]);
  });

  it('is failing from a failed send until a send succeeds', async () => {
    const { sink, queue } = setup();
    const a = new QueuedConnection();
    expect(queue.failing).toBe(false);

    queue.add(a, [record('a1')]);
    const lost = queue.durable(a);
    await nextTurn();
    sink.sends[0].reject(new Error('broker gone'));
    await expect(lost).rejects.toThrow('broker gone');
    expect(queue.failing).toBe(true);

    queue.add(a, [record('a2')]);
    await nextTurn();
    expect(queue.failing).toBe(true);
    sink.sends[1].resolve();
    await nextTurn();
    expect(queue.failing).toBe(false);
  });

  it('waits for the send in flight when nothing more is queued', async () => {
    const { sink, queue } = setup();
    const a = new QueuedConnection();
    queue.add(a, [record('a1')]);
    await nextTurn();
    let done = false;
    void queue.durable(a).then(() => (done = true));
    await nextTurn();
    expect(done).toBe(false);
    sink.sends[0].resolve();
    await nextTurn();
    expect(done).toBe(true);
  });

  it('splits connections across sends by size and keeps at most maxInFlight sends going', async () => {
    // GIVEN sends of at most 100 bytes, two at a time, and four connections of 60 bytes each
    const { sink, queue } = setup(2, 100);
    const connections = [0, 1, 2, 3].map(() => new QueuedConnection());
    connections.forEach((c, i) => queue.add(c, [record(`c${i}`, 60)]));
    await nextTurn();

    // THEN each send holds one connection (two would pass 100 bytes), two start, the rest wait their turn
    expect(sink.sends.map((s) => s.keys)).toEqual([['c0'], ['c1']]);
    sink.sends[1].resolve();
    await nextTurn();
    expect(sink.sends.map((s) => s.keys)).toEqual([['c0'], ['c1'], ['c2']]);
    sink.sends[0].resolve();
    await nextTurn();
    expect(sink.sends.map((s) => s.keys)).toEqual([['c0'], ['c1'], ['c2'], ['c3']]);
  });

  it('is full while more bytes are held than the budget, counting records still being written, until sends bring it under three quarters', async () => {
    // GIVEN a budget of 1,000 bytes
    const { sink, queue } = setup(4, 1 << 20, 1000);
    const [a, b] = [new QueuedConnection(), new QueuedConnection()];

    // WHEN 600 bytes are queued and another connection writes 500 bytes of a record
    queue.add(a, [record('a1', 600)]);
    queue.partial(500);
    let room = false;
    void queue.room().then(() => (room = true));
    await nextTurn();

    // THEN the queue is full until enough is stored: 1,100 held, then 500 after the send, under 750
    expect(queue.full).toBe(true);
    expect(room).toBe(false);
    queue.add(b, [record('b1', 500)]);
    queue.partial(-500);
    await nextTurn();
    expect(queue.full).toBe(true);
    expect(room).toBe(false);
    sink.sends[0].resolve();
    await nextTurn();
    expect(queue.full).toBe(false);
    expect(room).toBe(true);
    await expect(queue.room()).resolves.toBeUndefined();
  });

  it('frees the budget of a failed send too', async () => {
    const { sink, queue } = setup(4, 1 << 20, 100);
    queue.add(new QueuedConnection(), [record('a1', 200)]);
    const room = queue.room();
    await nextTurn();
    sink.sends[0].reject(new Error('broker gone'));
    await expect(room).resolves.toBeUndefined();
  });

  describe('with a linger', () => {
    // Only the linger's timers are faked; turns of the event loop stay real.
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());
    const lingering = (maxInFlight = 4, maxSendBytes = 1 << 20) => setup(maxInFlight, maxSendBytes, 1 << 30, 5);

    it('lets records nobody waits for wait out the linger, so that what several turns queue goes in one send', async () => {
      // GIVEN two connections queuing records in two turns, nobody waiting for them
      const { sink, queue } = lingering();
      const [a, b] = [new QueuedConnection(), new QueuedConnection()];
      queue.add(a, [record('a1')]);
      await nextTurn();
      queue.add(b, [record('b1')]);
      await nextTurn();
      expect(sink.sends).toHaveLength(0);

      // WHEN the linger ends
      jest.advanceTimersByTime(5);

      // THEN one send carries both
      expect(sink.sends.map((s) => s.keys)).toEqual([['a1', 'b1']]);
    });

    it('sends in the next turn, with whatever lingers, once a request waits for its records', async () => {
      // GIVEN records lingering for connection a
      const { sink, queue } = lingering();
      const [a, b] = [new QueuedConnection(), new QueuedConnection()];
      queue.add(a, [record('a1')]);
      await nextTurn();

      // WHEN connection b queues a record and waits for it
      queue.add(b, [record('b1')]);
      let durable = false;
      void queue.durable(b).then(() => (durable = true));
      await nextTurn();

      // THEN both go without waiting for the linger, and the wait ends with the send
      expect(sink.sends.map((s) => s.keys)).toEqual([['a1', 'b1']]);
      sink.sends[0].resolve();
      await nextTurn();
      expect(durable).toBe(true);
    });

    it('sends a waited-for connection as soon as its send in flight ends, and what lingers with it', async () => {
      // GIVEN connection a with a send in flight, then a record it waits for, and b's record lingering
      const { sink, queue } = lingering();
      const [a, b] = [new QueuedConnection(), new QueuedConnection()];
      queue.add(a, [record('a1')]);
      void queue.durable(a);
      await nextTurn();
      queue.add(a, [record('a2')]);
      void queue.durable(a);
      queue.add(b, [record('b1')]);
      await nextTurn();
      expect(sink.sends.map((s) => s.keys)).toEqual([['a1']]);

      // WHEN the send in flight ends
      sink.sends[0].resolve();
      await nextTurn();

      // THEN the next one leaves at once with both (connections in the order they became ready)
      expect(sink.sends.map((s) => s.keys)).toEqual([['a1'], ['b1', 'a2']]);
    });

    it('lets records linger after a send ends when nobody waits for them', async () => {
      // GIVEN a send in flight for connection a, and a record of a's queued meanwhile that nobody waits for
      const { sink, queue } = lingering();
      const a = new QueuedConnection();
      queue.add(a, [record('a1')]);
      jest.advanceTimersByTime(5);
      queue.add(a, [record('a2')]);
      let stored = false;
      void queue.stored(a).then(() => (stored = true));

      // WHEN the send ends
      sink.sends[0].resolve();
      await nextTurn();

      // THEN a2 waits out a linger of its own, and whoever only wanted to know hears once it is stored
      expect(sink.sends).toHaveLength(1);
      jest.advanceTimersByTime(5);
      expect(sink.sends.map((s) => s.keys)).toEqual([['a1'], ['a2']]);
      expect(stored).toBe(false);
      sink.sends[1].resolve();
      await nextTurn();
      expect(stored).toBe(true);
    });

    it('sends a full send at once', async () => {
      // GIVEN sends of at most 100 bytes and two connections queuing 60 bytes each, nobody waiting
      const { sink, queue } = lingering(4, 100);
      queue.add(new QueuedConnection(), [record('c0', 60)]);
      queue.add(new QueuedConnection(), [record('c1', 60)]);

      // WHEN the turn ends
      await nextTurn();

      // THEN there is more than a send's worth: both sends leave without lingering
      expect(sink.sends.map((s) => s.keys)).toEqual([['c0'], ['c1']]);
    });
  });
});
