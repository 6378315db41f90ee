/**
 * Units of backfill work: a range of one shard's documents, between two exact reader positions. Shards
 * larger than the split size become several items, so parallelism is not capped by the largest shard.
 */
import type { DocPosition, SegmentSummary } from '../lucene';

export interface WorkItemRange {
  /** First document (inclusive); undefined = shard start. */
  from?: DocPosition;
  /** End (exclusive); undefined = shard end. */
  to?: DocPosition;
}

export interface WorkItemSpec {
  id: string;
  index: string;
  shard: number;
  part: number;
  range: WorkItemRange;
  /** Live documents in the range. */
  documents: number;
}

/** Ids survive any index name (`__` included) by encoding it. */
export function workItemId(index: string, shard: number, part: number): string {
  return `${Buffer.from(index).toString('base64url')}__${shard}__${part}`;
}

/**
 * Splits a shard into ranges of about `maxDocs` live documents. Cuts fall between segments or inside one,
 * at a document id; inside a segment the live count is estimated in proportion to the id range.
 */
export function splitShard(index: string, shard: number, segments: SegmentSummary[], maxDocs: number): WorkItemSpec[] {
  const total = segments.reduce((sum, s) => sum + s.liveDocs, 0);
  if (total <= maxDocs) return [{ id: workItemId(index, shard, 0), index, shard, part: 0, range: {}, documents: total }];
  const cuts: DocPosition[] = [];
  const counts: number[] = [];
  let inRange = 0;
  for (const segment of segments) {
    if (segment.liveDocs === 0) continue;
    const density = segment.liveDocs / segment.maxDoc;
    let doc = 0;
    while (doc < segment.maxDoc) {
      const room = maxDocs - inRange;
      const remainingLive = Math.round((segment.maxDoc - doc) * density);
      if (remainingLive <= room) {
        inRange += remainingLive;
        break;
      }
      const step = Math.max(1, Math.floor(room / density));
      doc += step;
      inRange += Math.round(step * density);
      cuts.push({ segment: segment.name, doc });
      counts.push(inRange);
      inRange = 0;
    }
  }
  counts.push(inRange);
  const items: WorkItemSpec[] = [];
  for (let part = 0; part <= cuts.length; part++) {
    items.push({
      id: workItemId(index, shard, part),
      index,
      shard,
      part,
      range: { ...(part > 0 ? { from: cuts[part - 1] } : {}), ...(part < cuts.length ? { to: cuts[part] } : {}) },
      documents: counts[part],
    });
  }
  return items;
}
