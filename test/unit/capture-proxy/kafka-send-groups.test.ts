/** Grouping queued capture records into sends the broker accepts (below message.max.bytes), order kept. */
import { wholeRecord } from '../../../src/capture-proxy/connection-capture';
import { MAX_SEND_BYTES, sendGroups } from '../../../src/capture-proxy/kafka-sink';

const record = (bytes: number, n: number) => wholeRecord(`c-${n}`, new Uint8Array(bytes));
const keys = (groups: ReturnType<typeof sendGroups>) => groups.map((g) => g.map((r) => r.key));

test('small records travel together in one send', () => {
  expect(keys(sendGroups([record(100, 1), record(100, 2), record(100, 3)]))).toEqual([['c-1', 'c-2', 'c-3']]);
});

test('records are split before a group would pass the limit, in their order', () => {
  const groups = sendGroups([record(400_000, 1), record(400_000, 2), record(400_000, 3), record(10, 4)]);
  expect(keys(groups)).toEqual([['c-1', 'c-2'], ['c-3', 'c-4']]);
  for (const group of groups) expect(group.reduce((sum, r) => sum + r.value.byteLength, 0)).toBeLessThanOrEqual(MAX_SEND_BYTES);
});

test('a record as large as the limit goes alone; nothing is dropped', () => {
  const groups = sendGroups([record(10, 1), record(1_048_000, 2), record(10, 3)]);
  expect(keys(groups)).toEqual([['c-1'], ['c-2'], ['c-3']]);
  expect(sendGroups([])).toEqual([]);
});
