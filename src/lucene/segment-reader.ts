/**
 * One segment of a shard: its files (inside a compound file or not), fields, deleted documents (hard
 * deletes in `.liv`, soft deletes as values of the soft-deletes doc-values field), and stored documents.
 */
import type { ByteSource } from '../common/byte-source';
import { readIndexHeader, verifyFooter } from './codec-util';
import { compoundFiles, parseCompoundEntries } from './compound';
import { DataInput } from './data-input';
import type { LuceneDirectory } from './directory';
import { findDocsWithField } from './doc-values-meta';
import { CorruptIndexError } from './errors';
import { parseFieldInfos, type FieldInfo } from './field-infos';
import { markIndexedDisi } from './indexed-disi';
import type { SegmentInfo } from './segment-info';
import type { SegmentCommitInfo } from './segment-infos';
import { readStoredDocuments, readStoredFieldsFormat, type RawStoredDocument, type WantedFields } from './stored-fields';

export class SegmentReader {
  readonly #dir: LuceneDirectory;
  readonly commit: SegmentCommitInfo;
  readonly info: SegmentInfo;
  #files?: Promise<Map<string, ByteSource>>;

  constructor(dir: LuceneDirectory, commit: SegmentCommitInfo, info: SegmentInfo) {
    this.#dir = dir;
    this.commit = commit;
    this.info = info;
  }

  get name(): string {
    return this.commit.name;
  }

  /** The shard directory's name, for messages. */
  get dirName(): string {
    return this.#dir.name;
  }

  get maxDoc(): number {
    return this.info.maxDoc;
  }

  get liveDocs(): number {
    return this.info.maxDoc - this.commit.delCount - this.commit.softDelCount;
  }

  /** Files of the segment's own generation: the compound file's entries, or plain files. */
  #segmentFiles(): Promise<Map<string, ByteSource>> {
    this.#files ??= (async () => {
      if (!this.info.isCompound) return new Map<string, ByteSource>();
      const cfe = await this.#readWhole(await this.#dir.open(`${this.name}.cfe`));
      const { entries } = parseCompoundEntries(cfe.bytes, cfe.name, this.commit.id);
      return compoundFiles(await this.#dir.open(`${this.name}.cfs`), this.name, entries);
    })();
    return this.#files;
  }

  async #open(fileName: string): Promise<ByteSource> {
    const inCompound = (await this.#segmentFiles()).get(fileName);
    return inCompound ?? this.#dir.open(fileName);
  }

  async #has(fileName: string): Promise<boolean> {
    return (await this.#segmentFiles()).has(fileName) || this.#dir.fileNames().includes(fileName);
  }

  async #readWhole(source: ByteSource): Promise<{ bytes: Uint8Array; name: string }> {
    return { bytes: await source.read(0, source.byteLength), name: source.name };
  }

  async fieldInfos(): Promise<Map<number, FieldInfo>> {
    const gen = this.commit.fieldInfosGen;
    const name = gen > 0 ? `${this.name}_${gen.toString(36)}.fnm` : `${this.name}.fnm`;
    const file = await this.#readWhole(await this.#open(name));
    return parseFieldInfos(file.bytes, file.name, this.commit.id);
  }

  /** One byte per document, 1 where the document is deleted (hard or soft). */
  async deletedDocs(fields: Map<number, FieldInfo>): Promise<Uint8Array> {
    const deleted = new Uint8Array(this.maxDoc);
    if (this.commit.delCount === 0 && this.commit.softDelCount === 0) return deleted;
    if (this.commit.delCount + this.commit.softDelCount >= this.maxDoc) return deleted.fill(1);
    let count = 0;
    if (this.commit.delGen !== -1) count += await this.#markHardDeletes(deleted);
    if (this.commit.softDelCount > 0) count += await this.#markSoftDeletes(deleted, fields);
    const expected = this.commit.delCount + this.commit.softDelCount;
    if (count !== expected) {
      throw new CorruptIndexError(`${this.#dir.name}, segment ${this.name}`, `found ${count} deleted documents where the commit records ${expected}`);
    }
    return deleted;
  }

  /**
   * `.liv` = IndexHeader("Lucene50LiveDocs" | "Lucene90LiveDocs", suffix = delGen in base 36),
   *          ceil(maxDoc / 64) × Long (bit set: 1 = live), Footer
   */
  async #markHardDeletes(deleted: Uint8Array): Promise<number> {
    const file = await this.#readWhole(await this.#dir.open(`${this.name}_${this.commit.delGen.toString(36)}.liv`));
    verifyFooter(file.bytes, file.name);
    const input = new DataInput(file.bytes, file.name);
    const header = readIndexHeader(input, /^Lucene(50|90)LiveDocs$/, 0, 1, this.commit.id);
    input.littleEndian = header.codec.startsWith('Lucene90');
    let count = 0;
    for (let word = 0; word * 64 < this.maxDoc; word++) {
      const bits = input.readLongBig();
      for (let bit = 0; bit < 64 && word * 64 + bit < this.maxDoc; bit++) {
        if (((bits >> BigInt(bit)) & 1n) === 0n) {
          deleted[word * 64 + bit] = 1;
          count++;
        }
      }
    }
    return count;
  }

  /** Documents with any value in the soft-deletes field are deleted; counts only those not already hard-deleted. */
  async #markSoftDeletes(deleted: Uint8Array, fields: Map<number, FieldInfo>): Promise<number> {
    const field = [...fields.values()].find((f) => f.softDeletes || f.name === '__soft_deletes');
    if (!field) throw new CorruptIndexError(`${this.#dir.name}, segment ${this.name}`, 'soft deletes are recorded but no soft-deletes field exists');
    const format = field.attributes['PerFieldDocValuesFormat.format'];
    const suffix = field.attributes['PerFieldDocValuesFormat.suffix'];
    const segmentSuffix = format !== undefined && suffix !== undefined ? `${format}_${suffix}` : '';
    const base = field.docValuesGen >= 0 ? `${this.name}_${field.docValuesGen.toString(36)}` : this.name;
    const stem = segmentSuffix ? `${base}_${segmentSuffix}` : base;
    const open = field.docValuesGen >= 0 ? (n: string) => this.#dir.open(n) : (n: string) => this.#open(n);
    const meta = await this.#readWhole(await open(`${stem}.dvm`));
    const modeKey = 'Lucene80DocValuesFormat.mode';
    const entry = findDocsWithField(meta.bytes, meta.name, this.commit.id, field.number, {
      binaryCompressed: (n) => fields.get(n)?.attributes[modeKey] === 'BEST_COMPRESSION',
      hasSkipIndex: (n) => fields.get(n)?.docValuesSkipIndex === true,
    });
    if (!entry || entry.offset === -2) return 0;
    const marks = new Uint8Array(this.maxDoc);
    if (entry.offset === -1) marks.fill(1);
    else {
      const data = await open(`${stem}.dvd`);
      const bytes = await data.read(entry.offset, entry.offset + entry.length);
      markIndexedDisi(bytes, data.name, entry.littleEndian, entry.denseRankPower, this.maxDoc, marks);
    }
    let count = 0;
    for (let doc = 0; doc < this.maxDoc; doc++) {
      if (marks[doc] && !deleted[doc]) {
        deleted[doc] = 1;
        count++;
      }
    }
    return count;
  }

  /** Stored documents [fromDoc, toDoc) with the fields the caller wants, a chunk's documents at a time. */
  async *storedDocuments(wanted: WantedFields, fromDoc: number, toDoc: number): AsyncGenerator<RawStoredDocument[]> {
    const fdt = await this.#open(`${this.name}.fdt`);
    const fdm = (await this.#has(`${this.name}.fdm`)) ? await this.#open(`${this.name}.fdm`) : undefined;
    const format = await readStoredFieldsFormat(fdt, fdm, this.commit.id);
    yield* readStoredDocuments(fdt, format, this.maxDoc, wanted, fromDoc, toDoc);
  }
}
