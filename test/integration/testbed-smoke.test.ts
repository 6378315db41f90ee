/**
 * Proves each test-bed server really works: the search engines index, bulk, search and snapshot; Kafka
 * produces and consumes, also through its SCRAM-over-TLS and TLS listeners; the S3 server writes, reads
 * (also a range) and lists through the AWS SDK.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel } from 'kafkajs';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();

async function call(base: string, method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

// Elasticsearch 6.x and 5.x still want a type in bulk actions and document paths.
const clusters = [
  ['Elasticsearch 7.10 (source)', endpoints.source, {}],
  ['OpenSearch 2.19 (target)', endpoints.target, {}],
  ['OpenSearch 3.3', endpoints.os3 ?? 'http://os3-was-not-started-by-the-test-bed.invalid', {}],
  ['Elasticsearch 6.8', endpoints.es68 ?? 'http://es68-was-not-started-by-the-test-bed.invalid', { _type: '_doc' }],
  // Elasticsearch 5 refuses type names that start with an underscore.
  ['Elasticsearch 5.6', endpoints.es56 ?? 'http://es56-was-not-started-by-the-test-bed.invalid', { _type: 'doc' }],
  ['Elasticsearch 8.19', endpoints.es8 ?? 'http://es8-was-not-started-by-the-test-bed.invalid', {}],
  ['Elasticsearch 9.2', endpoints.es9 ?? 'http://es9-was-not-started-by-the-test-bed.invalid', {}],
] as [string, string, Record<string, string>][];

describe.each(clusters)('%s', (_label, base, typed) => {
  const index = `smoke-${randomUUID()}`;
  afterAll(async () => {
    await call(base, 'DELETE', `/${index}`);
  });

  it('indexes, bulk-indexes and searches documents', async () => {
    // GIVEN a new index with one document and two more from a bulk request
    expect((await call(base, 'PUT', `/${index}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } })).status).toBe(200);
    expect((await call(base, 'PUT', `/${index}/${typed._type ?? '_doc'}/1?refresh=true`, { title: 'one' })).status).toBe(201);
    const bulk = [{ index: { _index: index, _id: '2', ...typed } }, { title: 'two' }, { index: { _index: index, _id: '3', ...typed } }, { title: 'three' }]
      .map((line) => JSON.stringify(line))
      .join('\n') + '\n';
    const bulkResponse = await call(base, 'POST', '/_bulk?refresh=true', bulk, 'application/x-ndjson');
    expect(bulkResponse.status).toBe(200);
    expect(bulkResponse.json.errors).toBe(false);

    // WHEN searching
    const search = await call(base, 'POST', `/${index}/_search`, { query: { match: { title: 'two' } } });

    // THEN the bulk-indexed document is found and the index holds all three
    expect(search.json.hits.hits.map((h: { _id: string }) => h._id)).toEqual(['2']);
    expect((await call(base, 'GET', `/${index}/_count`)).json.count).toBe(3);
  });

  it('creates a filesystem snapshot in the shared repository folder', async () => {
    // GIVEN a filesystem repository under the test bed's repoDir
    const repo = `smoke-repo-${randomUUID()}`;
    const registered = await call(base, 'PUT', `/_snapshot/${repo}`, { type: 'fs', settings: { location: `${endpoints.repoDir}/${repo}` } });
    expect(registered.status).toBe(200);

    // WHEN taking a snapshot of the index and waiting for it
    const snapshot = await call(base, 'PUT', `/_snapshot/${repo}/snap-1?wait_for_completion=true`, { indices: index });

    // THEN it succeeds with every shard
    expect(snapshot.status).toBe(200);
    expect(snapshot.json.snapshot.state).toBe('SUCCESS');
    expect(snapshot.json.snapshot.shards.failed).toBe(0);
    await call(base, 'DELETE', `/_snapshot/${repo}/snap-1`);
    await call(base, 'DELETE', `/_snapshot/${repo}`);
  });
});

describe('Kafka', () => {
  it('produces a record and consumes it back', async () => {
    // GIVEN a new topic
    const kafka = new Kafka({ clientId: 'smoke', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });
    const topic = `smoke-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });

    // WHEN producing one record and consuming from the beginning
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'hello' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `smoke-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no record within 30 s')), 30_000);
      void consumer.run({
        eachMessage: async ({ message }) => {
          clearTimeout(timer);
          resolve(`${message.key?.toString()}=${message.value?.toString()}`);
        },
      });
    });
    await consumer.disconnect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();

    // THEN the record arrives intact
    expect(received).toBe('k=hello');
  }, 60_000);

  it('serves the same broker over SASL_SSL (SCRAM-SHA-512) and SSL, with a certificate of the published CA', async () => {
    // GIVEN clients of the two secured listeners that trust only the test bed's CA
    const ssl = { ca: [readFileSync(endpoints.kafkaCaFile ?? 'kafkaCaFile-was-not-published', 'utf8')] };
    // A new SASL object per client: kafkajs stores its authenticator, holding the password, on the object it is given.
    const sasl = (password: string) => ({ mechanism: 'scram-sha-512' as const, username: endpoints.kafkaScramUser ?? '', password });
    const scram = new Kafka({ clientId: 'smoke-scram', brokers: [endpoints.kafkaScram ?? ''], ssl, sasl: sasl(endpoints.kafkaScramPassword ?? ''), logLevel: logLevel.NOTHING });
    const tls = new Kafka({ clientId: 'smoke-tls', brokers: [endpoints.kafkaTls ?? ''], ssl, logLevel: logLevel.NOTHING });
    const topic = `smoke-secured-${randomUUID()}`;

    // WHEN producing through SCRAM and reading the offsets through TLS and through the plain listener
    const producer = scram.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();
    const offsets = async (kafka: Kafka) => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        return (await admin.fetchTopicOffsets(topic)).map((p) => p.high);
      } finally {
        await admin.disconnect();
      }
    };
    const plain = new Kafka({ clientId: 'smoke-plain', brokers: [endpoints.kafka], logLevel: logLevel.NOTHING });

    // THEN all three listeners see the same two records, and a wrong SCRAM password is refused
    expect(await offsets(tls)).toEqual(['2']);
    expect(await offsets(plain)).toEqual(['2']);
    const intruder = new Kafka({ clientId: 'smoke-intruder', brokers: [endpoints.kafkaScram ?? ''], ssl, sasl: sasl('wrong'), logLevel: logLevel.NOTHING });
    await expect(offsets(intruder)).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    const admin = plain.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  }, 60_000);
});

describe('S3-compatible server', () => {
  it('writes, reads, range-reads and lists objects through the AWS SDK', async () => {
    // GIVEN a bucket
    const s3 = new S3Client({
      endpoint: endpoints.s3,
      region: endpoints.s3Region,
      forcePathStyle: true,
      // S3-compatible stores do not all implement the SDK's default streaming checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: endpoints.s3AccessKeyId, secretAccessKey: endpoints.s3SecretAccessKey },
    });
    const bucket = `smoke-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    // WHEN writing an object and reading it whole, in part and through a listing
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dir/object', Body: 'hello, world' }));
    const whole = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/object' }))).Body?.transformToString();
    const range = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'dir/object', Range: 'bytes=7-11' }))).Body?.transformToString();
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'dir/' }));

    // THEN all three agree with what was written
    expect(whole).toBe('hello, world');
    expect(range).toBe('world');
    expect(listing.Contents?.map((o) => [o.Key, o.Size])).toEqual([['dir/object', 12]]);
    s3.destroy();
  });
});

describe('reindex from remote', () => {
  it('copies an index of the Elasticsearch 7.10 source into the OpenSearch 2.19 target (the reindex module the test bed adds)', async () => {
    // GIVEN three documents on the source
    const index = `smoke-reindex-${randomUUID()}`;
    for (const id of ['1', '2', '3']) expect((await call(endpoints.source, 'PUT', `/${index}/_doc/${id}?refresh=true`, { n: Number(id) })).status).toBe(201);

    // WHEN the target reindexes them from the source
    const reindex = await call(endpoints.target, 'POST', '/_reindex?wait_for_completion=true&refresh=true', { source: { remote: { host: endpoints.source }, index }, dest: { index } });

    // THEN the target holds all three
    expect(reindex.status).toBe(200);
    expect(reindex.json).toMatchObject({ created: 3, failures: [] });
    expect((await call(endpoints.target, 'GET', `/${index}/_count`)).json.count).toBe(3);
    await call(endpoints.source, 'DELETE', `/${index}`);
    await call(endpoints.target, 'DELETE', `/${index}`);
  });
});
