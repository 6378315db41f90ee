/**
 * The committed JSON Schemas under schemas/ are exactly what the result schemas generate, so a change to
 * a `--json` result shows up as a reviewed change to a schema file. After a deliberate change, regenerate
 * with `MA_WRITE_SCHEMAS=1 npx jest test/unit/console/result-schemas.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { envelopeSchema, RESULT_SCHEMAS } from '../../../src/console/result-schemas';

const dir = join(__dirname, '../../../schemas');

describe.each(Object.keys(RESULT_SCHEMAS))('JSON Schema of "%s"', (command) => {
  it('is committed as generated', () => {
    const file = join(dir, `${command.replace(/ /g, '-')}.json`);
    const generated = { $id: `${command.replace(/ /g, '-')}.json`, title: `console ${command} --json`, ...z.toJSONSchema(envelopeSchema(command)) };
    if (process.env.MA_WRITE_SCHEMAS === '1') writeFileSync(file, JSON.stringify(generated, null, 2) + '\n');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(generated);
  });
});

it('accepts a success and a failure envelope and refuses a wrong one', () => {
  const schema = envelopeSchema('clusters curl');
  expect(schema.safeParse({ version: 1, command: 'clusters curl', status: 0, result: { status: 200, body: '{}' } }).success).toBe(true);
  expect(schema.safeParse({ version: 1, command: 'clusters curl', status: 1, error: { code: 'MA_CLUSTER_HTTP', message: 'x' } }).success).toBe(true);
  expect(schema.safeParse({ version: 1, command: 'clusters curl', status: 0, result: { status: '200', body: '{}' } }).success).toBe(false);
  expect(schema.safeParse({ version: 2, command: 'clusters curl', status: 0, result: { status: 200, body: '' } }).success).toBe(false);
});
