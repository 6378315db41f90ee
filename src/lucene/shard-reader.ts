/**
 * A shard's live documents, in order, from its newest commit (or a named `segments_N`), with the exact
 * position of each so a reader can stop and resume anywhere.
 */
import type { LuceneDirectory } from './directory';
import { CorruptIndexError, UnsupportedFormatError } from './errors';
import { parseSegmentInfo } from './segment-info';
import { latestSegmentsFile, parseSegmentInfos } from './segment-infos';
import { SegmentReader } from './segment-reader';
import type { RawStoredDocument, WantedFields } from './stored-fields';
import { decodeId, splitUid } from './uid';

export interface DocPosition {
  segment: string;
  /** Lucene document id within the segment. */
  doc: number;
}

export interface ShardDocument {
  id: string;
  /** Mapping type, for indices created on 5.x (`_uid`). */
  type?: string;
  routing?: string;
  /**
   * The `_source` bytes exactly as stored (JSON for every index the tools write): a view into the
   * decompressed chunk of documents it came from, which it keeps alive; copy it to keep it for long alone.
   */
  source: Uint8Array;
  position: DocPosition;
}

export interface SegmentSummary {
  name: string;
  maxDoc: number;
  liveDocs: number;
  codec: string;
  luceneVersion: string;
  /**
   * How the segment's stored fields are compressed, as its `.si` attributes record it: the format and its
   * mode, such as "Lucene90StoredFieldsFormat BEST_SPEED" or "Zstd814StoredFieldsFormat BEST_COMPRESSION";
   * undefined where the codec records none (Lucene 6 and 7 formats, OpenSearch's custom zstd codecs).
   */
  storedFields?: string;
}

function storedFieldsMode(attributes: Record<string, string>): string | undefined {
  const key = Object.keys(attributes).find((k) => k.endsWith('StoredFieldsFormat.mode'));
  return key === undefined ? undefined : `${key.slice(0, -'.mode'.length)} ${attributes[key]}`;
}

export interface ShardReader {
  readonly commit: string;
  readonly segments: SegmentSummary[];
  readonly liveDocCount: number;
  /** Live documents from `from` (inclusive) to `to` (exclusive); the whole shard by default. */
  documents(range?: { from?: DocPosition; to?: DocPosition }): AsyncIterable<ShardDocument>;
}

export async function openShard(dir: LuceneDirectory, segmentsFileName?: string): Promise<ShardReader> {
  const commit = segmentsFileName ?? latestSegmentsFile(dir.fileNames());
  if (!commit) throw new CorruptIndexError(dir.name, 'no segments_N file: this is not a Lucene index');
  const source = await dir.open(commit);
  const infos = parseSegmentInfos(await source.read(0, source.byteLength), source.name);
  const readers: SegmentReader[] = [];
  for (const segment of infos.segments) {
    const si = await dir.open(`${segment.name}.si`);
    readers.push(new SegmentReader(dir, segment, parseSegmentInfo(await si.read(0, si.byteLength), si.name, segment.id)));
  }
  const order = new Map(readers.map((r, i) => [r.name, i]));
  const indexOf = (position: DocPosition): number => {
    const index = order.get(position.segment);
    if (index === undefined) throw new CorruptIndexError(dir.name, `position names segment ${position.segment}, which commit ${commit} does not have`);
    return index;
  };
  return {
    commit,
    segments: readers.map((r) => {
      const storedFields = storedFieldsMode(r.info.attributes);
      return { name: r.name, maxDoc: r.maxDoc, liveDocs: r.liveDocs, codec: r.commit.codec, luceneVersion: r.info.version, ...(storedFields ? { storedFields } : {}) };
    }),
    liveDocCount: readers.reduce((sum, r) => sum + r.liveDocs, 0),
    async *documents(range = {}) {
      const first = range.from ? indexOf(range.from) : 0;
      const last = range.to ? indexOf(range.to) : readers.length - 1;
      for (let i = first; i <= last; i++) {
        const reader = readers[i];
        const fromDoc = range.from && i === first ? range.from.doc : 0;
        const toDoc = range.to && i === last ? range.to.doc : reader.maxDoc;
        if (reader.liveDocs === 0 || fromDoc >= toDoc) continue;
        const { wanted, deleted } = await segmentFields(reader);
        // One loop here rather than a generator per segment: every generator a document passes through
        // costs an asynchronous step per document.
        for await (const chunk of reader.storedDocuments(wanted, fromDoc, toDoc)) {
          for (const raw of chunk) {
            const doc = shardDocument(reader, raw, deleted);
            if (doc) yield doc;
          }
        }
      }
    },
  };
}

/** The numbers of the fields a document is made of, and which documents are deleted. */
async function segmentFields(reader: SegmentReader): Promise<{ wanted: WantedFields; deleted: Uint8Array }> {
  const fields = await reader.fieldInfos();
  const wanted: WantedFields = {};
  for (const field of fields.values()) {
    if (field.name === '_id') wanted.id = field.number;
    else if (field.name === '_uid') wanted.uid = field.number;
    else if (field.name === '_routing') wanted.routing = field.number;
    else if (field.name === '_source') wanted.source = field.number;
  }
  return { wanted, deleted: await reader.deletedDocs(fields) };
}

/** The document a stored one stands for, or undefined when it is not a live document of its own. */
function shardDocument(reader: SegmentReader, raw: RawStoredDocument, deleted: Uint8Array): ShardDocument | undefined {
  // Deleted versions and delete tombstones are not documents, nor are nested child documents (they store
  // neither _source nor an id).
  if (deleted[raw.doc]) return undefined;
  if (raw.source === undefined) {
    // A live document with an id but no _source was indexed with _source disabled or with OpenSearch's
    // derived source (index.derived_source.enabled): the snapshot cannot give it back, and skipping it
    // would lose it silently.
    if (raw.id || raw.uid !== undefined) {
      throw new UnsupportedFormatError(`${reader.dirName}, segment ${reader.name}`, `document ${raw.doc} without a stored _source (index with _source disabled or derived source)`, 'documents whose _source is stored');
    }
    return undefined;
  }
  let id: string;
  let type: string | undefined;
  if (raw.id) id = decodeId(raw.id);
  else if (raw.uid !== undefined) ({ id, type } = splitUid(raw.uid));
  else return undefined;
  return {
    id,
    ...(type ? { type } : {}),
    ...(raw.routing !== undefined ? { routing: raw.routing } : {}),
    source: raw.source,
    position: { segment: reader.name, doc: raw.doc },
  };
}
