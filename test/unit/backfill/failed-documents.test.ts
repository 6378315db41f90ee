/** The failed-documents log on local disk: one JSON line per refused document, source optional, never lost. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedDocumentLine, fileFailedDocumentLog } from '../../../src/backfill/failed-documents';
import type { RejectedDocument } from '../../../src/backfill/bulk-sink';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'failed-docs-test-'));
  dirs.push(dir);
  return dir;
}

const rejected = (id: string, source: string, routing?: string): RejectedDocument => ({
  document: { index: 'books', id, ...(routing ? { routing } : {}), source: Buffer.from(source) },
  status: 400,
  reason: 'mapper_parsing_exception: failed to parse field [year]',
});

it('appends one line per refused document with index, id, routing, status, reason and the parsed source', async () => {
  // GIVEN a log in a folder that does not exist yet
  const dir = join(tempDir(), 'nested');
  const log = fileFailedDocumentLog(dir, 'worker-1', true);

  // WHEN two writes happen (the second with a routed document)
  await log.write([rejected('a', '{"year":"soon"}')]);
  await log.write([rejected('b', '{"year":[1]}', 'tenant-3')]);
  await log.write([]);

  // THEN the file holds both, one JSON object per line, in order
  expect(log.location).toBe(join(dir, 'failed-documents-worker-1.jsonl'));
  const lines = readFileSync(log.location, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toEqual([
    { _index: 'books', _id: 'a', status: 400, reason: 'mapper_parsing_exception: failed to parse field [year]', _source: { year: 'soon' }, at: expect.any(String) },
    { _index: 'books', _id: 'b', _routing: 'tenant-3', status: 400, reason: 'mapper_parsing_exception: failed to parse field [year]', _source: { year: [1] }, at: expect.any(String) },
  ]);
});

it('leaves the source out when asked (personal data)', async () => {
  const log = fileFailedDocumentLog(tempDir(), 'w', false);
  await log.write([rejected('a', '{"ssn":"123"}')]);
  const line = JSON.parse(readFileSync(log.location, 'utf8')) as Record<string, unknown>;
  expect(line).not.toHaveProperty('_source');
  expect(JSON.stringify(line)).not.toContain('123');
});

it('keeps a source that is not JSON as text instead of failing the write', async () => {
  // GIVEN a source the target refused because it is not JSON at all
  const log = fileFailedDocumentLog(tempDir(), 'w', true);
  await log.write([rejected('bin', 'not json {')]);
  expect(JSON.parse(readFileSync(log.location, 'utf8'))).toMatchObject({ _id: 'bin', _source_text: 'not json {' });
});

it('stamps each line with the time given', () => {
  expect(JSON.parse(failedDocumentLine(rejected('a', '{}'), true, new Date(0)))).toMatchObject({ at: '1970-01-01T00:00:00.000Z' });
});
