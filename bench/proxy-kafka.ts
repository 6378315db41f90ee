/**
 * The proxy benchmark's dealings with the test bed's Kafka besides the proxy itself: how fast Kafka alone
 * stores records cut as the proxy cuts them, and deleting the run's topics afterwards.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

/**
 * Bulks per second the proxy's Kafka sink (compiled in `build`) stores alone: each bulk as four records of
 * 256 KiB in one send, `lanes` sends at a time, for `seconds`; run as its own process, as the proxy is.
 */
export async function kafkaCeiling(build: string, work: string, kafka: string, topic: string, lanes: number, seconds: number): Promise<number> {
  const script = join(work, 'kafka-ceiling.js');
  writeFileSync(
    script,
    `const { KafkaSink } = require(${JSON.stringify(join(build, 'src/capture-proxy/kafka-sink.js'))});
const { wholeRecord } = require(${JSON.stringify(join(build, 'src/capture-proxy/connection-capture.js'))});
const sink = new KafkaSink({ brokers: [${JSON.stringify(kafka)}], topic: ${JSON.stringify(topic)}, clientId: 'bench-ceiling', auth: { type: 'none' }, deliveryTimeoutMs: 30000 });
const value = Buffer.alloc(256 * 1024, 120);
let bulks = 0;
const lane = async (id, until) => { while (Date.now() < until) { await sink.sendBatch([0, 1, 2, 3].map(() => wholeRecord('lane-' + id, value))); bulks++; } };
(async () => {
  await lane(0, Date.now() + 2000);
  bulks = 0;
  const started = Date.now(), until = started + ${seconds * 1000};
  await Promise.all(Array.from({ length: ${lanes} }, (_, id) => lane(id, until)));
  process.stdout.write(JSON.stringify({ bulksPerSecond: bulks / ((Date.now() - started) / 1000) }) + '\\n');
  await sink.close();
})();
`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, [script], { encoding: 'utf8' });
  return Number((JSON.parse(stdout) as { bulksPerSecond: number }).bulksPerSecond.toFixed(1));
}

/** Deletes the run's topics (gigabytes of bulk captures) from the test bed's Kafka; a failure is only reported. */
export async function deleteTopics(kafka: string, topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-cleanup', brokers: [kafka], logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.deleteTopics({ topics: topics.filter((name) => existing.has(name)) });
  } catch (error) {
    process.stderr.write(`bench: could not delete topics ${topics.join(', ')}: ${(error as Error).message}\n`);
  } finally {
    await admin.disconnect();
  }
}
