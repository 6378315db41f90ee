/**
 * Elasticsearch 9.2 and later leave vector values out of the stored `_source` of new indices
 * (`index.mapping.exclude_source_vectors`, true by default) and put them back only when a search asks. The
 * reader copies `_source` as stored, so documents of such an index would arrive without their vectors. Rather
 * than lose them silently, reading such an index fails, naming the fields and how to keep them.
 *
 * The first index version with that default lies after 9.1.0's (9033000, whose indices keep vectors) and at
 * or before 9.2.0's (9039001, whose indices leave them out); 9.1 patch releases stay below 9034000.
 */
import { SnapshotError } from './errors';
import type { IndexMetadata } from './model';

const FIRST_INDEX_VERSION_EXCLUDING_VECTORS = 9_034_000;
const VECTOR_TYPES = new Set(['dense_vector', 'sparse_vector', 'rank_vectors']);
const SETTING = 'index.mapping.exclude_source_vectors';

/** Paths of the vector fields in a mapping, inside objects and nested fields too. */
function vectorFields(mapping: unknown, parent = ''): string[] {
  const properties = (mapping as { properties?: Record<string, unknown> } | undefined)?.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties).flatMap(([name, field]) => {
    const path = parent ? `${parent}.${name}` : name;
    const type = (field as { type?: unknown })?.type;
    return [...(typeof type === 'string' && VECTOR_TYPES.has(type) ? [path] : []), ...vectorFields(field, path)];
  });
}

/** The vector fields whose values this index's `_source` does not hold (none for every other index). */
export function vectorsLeftOutOfSource(metadata: IndexMetadata): string[] {
  const created = metadata.createdVersion;
  if (!created || created.flavor !== 'elasticsearch' || created.id < FIRST_INDEX_VERSION_EXCLUDING_VECTORS) return [];
  if (String(metadata.settings[SETTING] ?? 'true') === 'false') return [];
  return [...new Set(Object.values(metadata.mappings).flatMap((mapping) => vectorFields(mapping)))];
}

/** Throws when documents read from this index would lack vector values they have on the source. */
export function assertSourceHoldsVectors(metadata: IndexMetadata): void {
  const fields = vectorsLeftOutOfSource(metadata);
  if (fields.length === 0) return;
  throw new SnapshotError(
    'MA_SNAPSHOT_UNSUPPORTED',
    `index ${metadata.name} leaves its vector fields (${fields.join(', ')}) out of the stored _source (Elasticsearch 9.2+ default ${SETTING}: true), so its documents cannot be copied whole from the snapshot; reindex it on the source into an index created with ${SETTING}: false, snapshot that, and migrate it instead`,
  );
}
