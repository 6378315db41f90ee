/** Where the test bed keeps Kafka's data in memory, and that it gives the memory back. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { memoryFolder, removeMemoryFolder } from '../../testbed/memory-folder';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'memory-root-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('memoryFolder', () => {
  it('gives each test-bed home its own folder per server, the same one every time', () => {
    const first = memoryFolder('/homes/one', 'kafka', root);
    expect(first).toMatch(new RegExp(`^${root}/migration-assistant-testbed-[0-9a-f]{12}/kafka$`));
    expect(memoryFolder('/homes/one', 'kafka', root)).toBe(first);
    expect(memoryFolder('/homes/two', 'kafka', root)).not.toBe(first);
  });

  it('keeps the data on disk where there is no memory file system', () => {
    expect(memoryFolder('/homes/one', 'kafka', join(root, 'absent'))).toBeUndefined();
    writeFileSync(join(root, 'a-file'), '');
    expect(memoryFolder('/homes/one', 'kafka', join(root, 'a-file'))).toBeUndefined();
  });
});

describe('removeMemoryFolder', () => {
  it('removes the folder and everything in it, then the test bed\'s folder once it holds no other server\'s', () => {
    const folder = memoryFolder('/homes/one', 'kafka', root)!;
    const other = memoryFolder('/homes/one', 'other', root)!;
    mkdirSync(join(folder, 'data', 'topic-0'), { recursive: true });
    writeFileSync(join(folder, 'data', 'topic-0', '00000000000000000000.log'), 'records');
    mkdirSync(other);
    removeMemoryFolder(folder);
    expect(existsSync(folder)).toBe(false);
    expect(existsSync(other)).toBe(true);
    removeMemoryFolder(other);
    expect(existsSync(dirname(folder))).toBe(false);
  });

  it('accepts a folder already gone, or none at all', () => {
    const folder = memoryFolder('/homes/one', 'kafka', root)!;
    expect(() => removeMemoryFolder(folder)).not.toThrow();
    expect(() => removeMemoryFolder(undefined)).not.toThrow();
  });
});
