/**
 * The SMILE decoder against output of Jackson's own SMILE generator (test/fixtures/smile, written by
 * GenerateSmile.java there) and against a real Elasticsearch 6.8 metadata blob whose encoder repeats names
 * already in its shared table; plus the errors of damaged input.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSmile, SmileError, type SmileValue } from '../../../src/snapshot/smile';
import { openRepository } from '../../../src/snapshot';
import { fixture as fixtureRepository } from '../../support/fixtures';

const fixture = (name: string) => readFileSync(join(__dirname, '../../fixtures/smile', name));

/** The document GenerateSmile.java writes, rebuilt from the same rules. */
function expectedDocument(): Record<string, SmileValue> {
  const names: Record<string, SmileValue> = {};
  for (let i = 0; i < 1500; i++) names[`field_${i}`] = i;
  const namesAgain: Record<string, SmileValue> = {};
  for (let i = 0; i < 100; i++) namesAgain[`field_${i}`] = i === 0 ? 0 : -i;
  const strings: string[] = [];
  for (let i = 0; i < 1200; i++) strings.push(`value-${i}`);
  for (let i = 0; i < 50; i++) strings.push(`value-${1024 + i * 3}`);
  strings.push('', 'x'.repeat(32), 'x'.repeat(33), 'x'.repeat(64), 'x'.repeat(65), 'é'.repeat(16), 'é'.repeat(32) + 'a', 'é'.repeat(33), 'é'.repeat(32) + 'a', 'é'.repeat(33), '日本語のテキスト', 'y'.repeat(300));
  const longs = ['0', '1', '-1', '15', '-16', '16', '-17', '63', '64', '127', '128', '8191', '8192', '-8193', '2147483647', '-2147483648', '2147483648', '9007199254740991', '9007199254740993', '9223372036854775807', '-9223372036854775808'].map((n) => {
    const big = BigInt(n);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  });
  const numbers: SmileValue[] = [...longs, 123456789012345678901234567890n, -98765432109876543210n, 1.5, Math.fround(-0.1), Math.PI, -1.0e300, 12345.678, -0.001];
  const binary: Uint8Array[] = [];
  for (let length = 0; length <= 17; length++) binary.push(Uint8Array.from({ length }, (_, i) => (i * 37 + length * 11 + 0x80) & 0xff));
  const oddKeys: Record<string, SmileValue> = {};
  for (const [key, value] of [
    ['', 'empty name'],
    ['constructor', 'not a function'],
    ['__proto__', 'not a prototype'],
    ['toString', 'not a method'],
    ['k'.repeat(70), 'long name'],
    ['ключ', 'unicode name'],
    ['k'.repeat(70), 'long name again'],
  ]) Object.defineProperty(oddKeys, key, { value, enumerable: true, writable: true, configurable: true });
  return { names, names_again: namesAgain, strings, numbers, binary, 'odd keys': oddKeys, literals: [true, false, null, [{}]] };
}

function normalise(value: SmileValue): unknown {
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, normalise(v)]);
  return value;
}

test.each(['shared-names-and-values.smile', 'elasticsearch-settings.smile'])('%s: every value as Jackson wrote it', (file) => {
  const decoded = decodeSmile(fixture(file)) as Record<string, SmileValue>;
  const expected = expectedDocument();
  // Compared key by key first so a failure names the part that differs.
  for (const key of Object.keys(expected)) expect([key, normalise(decoded[key])]).toEqual([key, normalise(expected[key])]);
  expect(Object.keys(decoded)).toEqual(Object.keys(expected));
  expect(Object.getPrototypeOf(decoded['odd keys'])).toBe(Object.prototype);
});

test('the shared-values file really uses back references (so the test covers them)', () => {
  const bytes = fixture('shared-names-and-values.smile');
  expect(bytes[3] & 3).toBe(3);
  expect(fixture('elasticsearch-settings.smile')[3] & 3).toBe(1);
  expect(bytes.some((b, i) => i > 4 && b >= 0xec && b <= 0xef)).toBe(true);
});

test('Elasticsearch 6.8 global metadata, whose encoder repeats names already shared, decodes whole', async () => {
  const repo = openRepository(fixtureRepository('ES_6_8_Single'));
  const snapshot = await repo.snapshot();
  const metadata = await repo.globalMetadata(snapshot);
  expect(Object.keys(metadata.templates)).toContain('posts_index_template');
  expect(Object.keys(metadata.templates)).toHaveLength(17);
  expect(metadata.templates['posts_index_template']).toMatchObject({ index_patterns: ['posts_*'] });
});

test.each([
  ['no header', [0x7b, 0x7d], 'missing the SMILE header'],
  ['truncated object', [0x3a, 0x29, 0x0a, 0x01, 0xfa, 0x80, 0x61], 'unexpected end of data at byte 7'],
  ['string past the end', [0x3a, 0x29, 0x0a, 0x01, 0x45, 0x61], 'runs past the end'],
  ['name reference never defined', [0x3a, 0x29, 0x0a, 0x01, 0xfa, 0x45, 0x21, 0xfb], 'shared name reference 5 at byte 5 is out of range (0 names seen)'],
  ['value reference without shared values', [0x3a, 0x29, 0x0a, 0x01, 0x01], 'header does not enable shared values'],
  ['reserved token', [0x3a, 0x29, 0x0a, 0x00, 0x2b], 'invalid value token 0x2b at byte 4'],
  ['long string without end marker', [0x3a, 0x29, 0x0a, 0x00, 0xe0, 0x61, 0x62], 'has no end marker'],
  ['invalid UTF-8', [0x3a, 0x29, 0x0a, 0x00, 0x81, 0xc3, 0x28, 0x41], 'invalid UTF-8'],
])('%s fails with a SmileError saying where', (_name, bytes, message) => {
  expect(() => decodeSmile(Uint8Array.from(bytes))).toThrow(SmileError);
  expect(() => decodeSmile(Uint8Array.from(bytes))).toThrow(message);
});
