/**
 * Stored-fields block decode throughput: the same JSON documents compressed as each producer frames its
 * blocks, then decoded in memory by the reader's block decompressors. Two corpora: `repetitive` (the decode
 * benchmark's documents, about 2.4 KB from a 20-word vocabulary, which compress 40×) and `varied` (words,
 * numbers and dates drawn at random from larger sets, closer to real documents). Prints a JSON result and a
 * short table.
 *   lz4           one LZ4 block per 60 KiB (Lucene BEST_SPEED's codec)
 *   deflate       raw DEFLATE per 60 KiB (Lucene BEST_COMPRESSION's codec)
 *   zstd          one zstd frame (level 3) per 240 KiB block (Elasticsearch 8.14+ best_compression)
 *   zstd-dict     480 KiB chunks: 1/60 as a raw-content dictionary, 10 sub-blocks against it (OpenSearch zstd)
 * The compressed blocks are made with the `lz4` and `zstd` command-line tools (not needed by anything else).
 *   npm run -s bench -- stored-blocks          (BENCH_BLOCK_MB=… for the amount of text, 24 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { DataInput } from '../src/lucene/data-input';
import { decompressor, type CompressionMode } from '../src/lucene/decompress';
import { benchDocument } from './snapshot-fixture';

const TEXT_BYTES = Number(process.env.BENCH_BLOCK_MB ?? 24) * 1024 * 1024;
const ROUNDS = 5;

interface Encoded {
  mode: CompressionMode;
  blockBytes: number;
  /** Each block as the .fdt holds it, with the plain length it decodes to. */
  blocks: { framed: Uint8Array; length: number }[];
}

function text(document: (n: number) => object): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  for (let n = 0; size < TEXT_BYTES; n++) {
    const doc = Buffer.from(JSON.stringify(document(n)));
    parts.push(doc);
    size += doc.length;
  }
  return Buffer.concat(parts).subarray(0, TEXT_BYTES);
}

/** Documents drawn from a seeded generator: 4,000 made-up words, free numbers and timestamps. */
function variedDocuments(): (n: number) => object {
  let seed = 42;
  const next = (limit: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % limit;
  };
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qu', 'or', 'el', 'an', 'is', 'um'];
  const vocabulary = Array.from({ length: 4000 }, () => Array.from({ length: 2 + next(3) }, () => syllables[next(syllables.length)]).join(''));
  const words = (count: number) => Array.from({ length: count }, () => vocabulary[next(vocabulary.length)]).join(' ');
  return (n) => ({
    id: n,
    user: { name: words(2), age: next(90), city: words(1) },
    title: words(6 + next(6)),
    body: words(80 + next(200)),
    tags: Array.from({ length: next(5) }, () => words(1)),
    price: next(1_000_000) / 100,
    created: new Date(1_600_000_000_000 + next(200_000_000) * 1000).toISOString(),
  });
}

function split(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
  return out;
}

function vint(value: number): Buffer {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return Buffer.from(out);
}

/** Compresses each file of `blocks` with one command run; returns the outputs in order. */
function withTool(dir: string, blocks: Buffer[], tag: string, command: string, args: (inputs: string[]) => string[], output: (input: string) => string): Buffer[] {
  const inputs = blocks.map((block, i) => {
    const file = join(dir, `${tag}-${i}`);
    writeFileSync(file, block);
    return file;
  });
  execFileSync(command, args(inputs), { stdio: ['ignore', 'ignore', 'inherit'] });
  return inputs.map((input) => readFileSync(output(input)));
}

/** The one block of an LZ4 frame written with 64 KiB independent blocks and no checksums. */
function lz4Block(frame: Buffer): Buffer {
  const flags = frame[4];
  let at = 4 + 2 + (flags & 0x08 ? 8 : 0) + 1;
  const size = frame.readUInt32LE(at);
  if (size & 0x80000000) throw new Error('lz4 stored a block uncompressed');
  at += 4;
  return frame.subarray(at, at + size);
}

function encode(plain: Buffer, dir: string): Encoded[] {
  const lz4Blocks = split(plain, 60 * 1024);
  const lz4 = withTool(dir, lz4Blocks, 'lz4', 'lz4', (inputs) => ['-q', '-f', '-m', '-B4', '--no-frame-crc', ...inputs], (i) => `${i}.lz4`).map(lz4Block);
  const zstdBlocks = split(plain, 240 * 1024);
  const zstd = withTool(dir, zstdBlocks, 'zstd', 'zstd', (inputs) => ['-q', '-f', '-3', '--no-check', ...inputs], (i) => `${i}.zst`);
  const chunks = split(plain, 480 * 1024);
  const dictFramed = chunks.map((chunk, c) => {
    const dictLength = Math.floor(chunk.length / 60);
    const blockLength = Math.ceil((chunk.length - dictLength) / 10);
    const dictionary = chunk.subarray(0, dictLength);
    const dictFile = join(dir, `dict-${c}`);
    writeFileSync(dictFile, dictionary);
    const [dictFrame] = withTool(dir, [dictionary], `dictframe-${c}`, 'zstd', (inputs) => ['-q', '-f', '-3', '--no-check', ...inputs], (i) => `${i}.zst`);
    const subBlocks = split(chunk.subarray(dictLength), blockLength);
    const frames = withTool(dir, subBlocks, `sub-${c}`, 'zstd', (inputs) => ['-q', '-f', '-3', '--no-check', '-D', dictFile, ...inputs], (i) => `${i}.zst`);
    return Buffer.concat([vint(dictLength), vint(blockLength), vint(dictFrame.length), dictFrame, ...frames.flatMap((f) => [vint(f.length), f])]);
  });
  const deflate = lz4Blocks.map((block) => {
    const raw = deflateRawSync(block, { level: 6 });
    return Buffer.concat([vint(raw.length), raw]);
  });
  return [
    { mode: 'lz4', blockBytes: 60 * 1024, blocks: lz4.map((framed, i) => ({ framed, length: lz4Blocks[i].length })) },
    { mode: 'deflate', blockBytes: 60 * 1024, blocks: deflate.map((framed, i) => ({ framed, length: lz4Blocks[i].length })) },
    { mode: 'zstd', blockBytes: 240 * 1024, blocks: zstd.map((frame, i) => ({ framed: Buffer.concat([vint(frame.length), frame]), length: zstdBlocks[i].length })) },
    { mode: 'zstd-dict', blockBytes: 480 * 1024, blocks: dictFramed.map((framed, i) => ({ framed, length: chunks[i].length })) },
  ];
}

function decodeAll(encoded: Encoded, out: Uint8Array): number {
  const decode = decompressor(encoded.mode);
  let at = 0;
  for (const block of encoded.blocks) {
    decode(new DataInput(block.framed, encoded.mode), block.length, out, at);
    at += block.length;
  }
  return at;
}

function measure(corpus: string, plain: Buffer) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-blocks-'));
  let encodings: Encoded[];
  try {
    encodings = encode(plain, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const out = new Uint8Array(plain.length);
  const results = encodings.map((encoded) => {
    out.fill(0);
    if (decodeAll(encoded, out) !== plain.length || !Buffer.from(out).equals(plain)) throw new Error(`${encoded.mode} did not decode to the original text`);
    let best = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      const started = process.hrtime.bigint();
      decodeAll(encoded, out);
      best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
    }
    const compressed = encoded.blocks.reduce((sum, b) => sum + b.framed.length, 0);
    return { corpus, mode: encoded.mode, blockKiB: encoded.blockBytes / 1024, ratio: Number((plain.length / compressed).toFixed(2)), mbPerSec: Number((plain.length / 1e6 / best).toFixed(1)) };
  });
  const lz4 = results.find((r) => r.mode === 'lz4')!.mbPerSec;
  return results.map((r) => ({ ...r, vsLz4: Number((r.mbPerSec / lz4).toFixed(2)) }));
}

function main(): void {
  const results = [...measure('repetitive', text(benchDocument)), ...measure('varied', text(variedDocuments()))];
  const result = { benchmark: 'stored-blocks', textMb: Number((TEXT_BYTES / 1e6).toFixed(1)), rounds: ROUNDS, results };
  process.stderr.write(`\n  ${'corpus'.padEnd(11)} ${'mode'.padEnd(10)} ${'block'.padStart(8)} ${'ratio'.padStart(6)} ${'MB/s'.padStart(8)} ${'vs lz4'.padStart(7)}\n`);
  for (const r of results) {
    process.stderr.write(`  ${r.corpus.padEnd(11)} ${r.mode.padEnd(10)} ${`${r.blockKiB} KiB`.padStart(8)} ${r.ratio.toFixed(2).padStart(6)} ${r.mbPerSec.toFixed(1).padStart(8)} ${`×${r.vsLz4}`.padStart(7)}\n`);
  }
  process.stderr.write('\n');
  process.stdout.write(JSON.stringify(result) + '\n');
}

main();
