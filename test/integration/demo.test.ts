/**
 * `npm run demo` with a small data set: the whole walkthrough (capture proxy, Kafka, snapshot, metadata,
 * three backfill workers, comparison) on the test bed, ending with an exact comparison and exit 0.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

it('runs the whole migration walkthrough and finds the target equal to the source', () => {
  const root = resolve(__dirname, '../..');
  const run = spawnSync(process.execPath, ['--import', 'tsx', resolve(root, 'scripts/demo/main.ts')], {
    cwd: root,
    env: { ...process.env, DEMO_DOCS: '2000' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const output = run.stdout + run.stderr;
  expect(output).toContain('$ console kafka describe-topic-records');
  expect(output).toMatch(/logging-traffic-topic\s+0\s+\d+/);
  expect(output).toContain('Backfill completed.');
  expect(output).toContain('All 3 indices are equal.');
  expect(run.status).toBe(0);
}, 320_000);
