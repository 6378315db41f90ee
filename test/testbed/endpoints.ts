/**
 * Where the test bed's servers listen. The jest global setup starts (or reuses) them and publishes this
 * object in the environment variable `MA_TESTBED_ENDPOINTS`; `npm run -s testbed -- up --json` prints it.
 */
export interface TestbedEndpoints {
  /** Elasticsearch 7.10.2, for example `http://127.0.0.1:19200`. */
  source: string;
  /** OpenSearch 2.19.x. */
  target: string;
  /** Kafka 4.x bootstrap server `host:port`, PLAINTEXT. */
  kafka: string;
  /** The same broker's SASL_SSL listener `host:port`: SCRAM-SHA-512 (`kafkaScramUser`) over TLS (`kafkaCaFile`). */
  kafkaScram?: string;
  /** The same broker's SSL listener `host:port`: TLS without SASL. */
  kafkaTls?: string;
  /** PEM file of the CA that signed the broker's certificate (for 127.0.0.1 and localhost). */
  kafkaCaFile?: string;
  kafkaScramUser?: string;
  kafkaScramPassword?: string;
  /** The broker's log folder (`log.dirs`): in memory or on disk, see the README. */
  kafkaDataDir?: string;
  /** S3-compatible endpoint URL. */
  s3: string;
  s3Region: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  /** Directory named in every cluster's `path.repo`; each sub-directory can be a filesystem repository. */
  repoDir: string;
  /** Elasticsearch 5.6.x (JDK 17 to 23); started by default. */
  es56?: string;
  /** Elasticsearch 6.8.x, when it runs on this machine's JDK. */
  es68?: string;
  /** Elasticsearch 8.19.x (Lucene 9, zstd `best_compression`); started by default. */
  es8?: string;
  /** Elasticsearch 9.2.x (Lucene 10, runs on Java 21+); started by default. */
  es9?: string;
  /** OpenSearch 1.3.x, when started. */
  os13?: string;
  /** OpenSearch 3.3.x (Lucene 10, runs on Java 21+); started by default. */
  os3?: string;
}

export const TESTBED_ENV = 'MA_TESTBED_ENDPOINTS';

/** The endpoints published by the jest global setup. */
export function testbedEndpoints(): TestbedEndpoints {
  const raw = process.env[TESTBED_ENV];
  if (!raw) {
    throw new Error(`${TESTBED_ENV} is not set: integration tests run under the jest "integration" project, whose global setup starts the test bed`);
  }
  return JSON.parse(raw) as TestbedEndpoints;
}
