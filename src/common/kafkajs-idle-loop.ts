/**
 * Stops the timer loop kafkajs 2.2.4 runs on every connection it holds open. Its request queue re-arms a
 * timer whenever it checks for pending requests, and with none pending the delay is negative, so the timer
 * fires after a millisecond, checks again, and re-arms: about 900 wake-ups a second per broker connection,
 * for as long as the connection stays open (kafkajs issues 1556, 1604 and 1704). An idle producer spent
 * 30 ms of CPU a second on it; the capture proxy, 11 to 16 µs more CPU per request at one connection (a
 * third more than the proxy without Kafka).
 *
 * The check is only needed while requests wait in the queue (throttled by the broker, or over the in-flight
 * limit); a request entering the queue schedules it again. So the timer is armed only then, exactly as
 * kafkajs arms it. kafkajs 2.2.4 is its last release, so this internal stays put; a test counts the timers
 * a connected client creates while idle.
 */
const REQUEST_QUEUE_MODULE = 'kafkajs/src/network/requestQueue/index.js';

interface RequestQueue {
  pending: unknown[];
}

interface RequestQueueClass {
  prototype: { scheduleCheckPendingRequests(this: RequestQueue): void };
}

const fixed = new WeakSet<object>();

/** Applies the change (again is harmless, and it holds for queues made before); returns whether it is in effect. */
export function stopKafkajsIdleLoop(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prototype = (require(REQUEST_QUEUE_MODULE) as RequestQueueClass).prototype;
  const original = prototype.scheduleCheckPendingRequests;
  if (typeof original !== 'function') return false;
  if (fixed.has(original)) return true;
  const scheduleOnlyWhilePending = function (this: RequestQueue): void {
    if (this.pending.length > 0) original.call(this);
  };
  fixed.add(scheduleOnlyWhilePending);
  prototype.scheduleCheckPendingRequests = scheduleOnlyWhilePending;
  return true;
}
