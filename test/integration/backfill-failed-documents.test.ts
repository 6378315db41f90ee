/**
 * The failed-documents log on the test bed's S3-compatible server: every write is its own gzip JSON-lines
 * object under `<prefix>/<worker>/`, so concurrent workers never overwrite each other.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { s3FailedDocumentLog } from '../../src/backfill/failed-documents';
import type { RejectedDocument } from '../../src/backfill/bulk-sink';
import { testbedEndpoints } from '../testbed/endpoints';

const endpoints = testbedEndpoints();
const credentials = { accessKeyId: endpoints.s3AccessKeyId, secretAccessKey: endpoints.s3SecretAccessKey };
const s3 = new S3Client({ endpoint: endpoints.s3, region: endpoints.s3Region, forcePathStyle: true, credentials, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
const bucket = `failed-docs-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(async () => {
  // Objects first, then the folders the store keeps for them (deepest first), then the bucket.
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const keys = (listed.Contents ?? []).map((o) => o.Key!).sort((a, b) => Number(a.endsWith('/')) - Number(b.endsWith('/')) || b.length - a.length);
  for (const key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  s3.destroy();
}, 30_000);

const rejected = (id: string): RejectedDocument => ({ document: { index: 'books', id, source: Buffer.from(`{"id":"${id}"}`) }, status: 400, reason: 'mapper_parsing_exception: bad' });

it('writes each batch of refused documents as its own object, from several workers at once', async () => {
  // GIVEN two workers' logs under the same prefix
  const options = { region: endpoints.s3Region, endpoint: endpoints.s3, credentials };
  const one = s3FailedDocumentLog(`s3://${bucket}/session=nightly`, 'worker-1', true, options);
  const two = s3FailedDocumentLog(`s3://${bucket}/session=nightly`, 'worker-2', false, options);

  // WHEN they write at the same time, one of them twice
  await Promise.all([one.write([rejected('a'), rejected('b')]), one.write([rejected('c')]), two.write([rejected('d')]), two.write([])]);

  // THEN there is one object per non-empty write, under each worker's folder, holding exactly its lines
  expect(one.location).toBe(`s3://${bucket}/session=nightly/worker-1/`);
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'session=nightly/' }));
  // The store's filesystem backend also lists the folders themselves; only objects count.
  const keys = (listed.Contents ?? []).map((o) => o.Key!).filter((k) => !k.endsWith('/')).sort();
  expect(keys).toHaveLength(3);
  expect(keys.every((k) => /^session=nightly\/worker-[12]\/[0-9T-]+Z-[0-9a-f]{8}\.jsonl\.gz$/.test(k))).toBe(true);
  const lines: Record<string, unknown>[] = [];
  for (const key of keys) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const text = gunzipSync(Buffer.from(await object.Body!.transformToByteArray())).toString('utf8');
    lines.push(...text.trimEnd().split('\n').map((l) => ({ key: key.split('/')[1], ...(JSON.parse(l) as Record<string, unknown>) })));
  }
  expect(lines.map((l) => [l.key, l._id, l._source]).sort()).toEqual([
    ['worker-1', 'a', { id: 'a' }],
    ['worker-1', 'b', { id: 'b' }],
    ['worker-1', 'c', { id: 'c' }],
    ['worker-2', 'd', undefined],
  ]);
});
