/**
 * Turns a snapshot's index metadata into a create-index request OpenSearch accepts: settings cleaned of
 * what belongs to the source cluster (ids, versions, allocation, lifecycle) and mappings without types.
 * `console metadata migrate` and the backfill worker both use it.
 */
import type { IndexMetadata } from '../snapshot';
import { convertField, dropsObjectParameter } from './field-conversions';

/** How an index with several mapping types (Elasticsearch 5) is carried over. */
export type MultiTypeRule = 'merge' | 'split';

const DROPPED_SETTINGS = [
  /^index\.uuid$/,
  /^index\.version\./,
  /^index\.creation_date/,
  /^index\.provided_name$/,
  /^index\.history\.uuid$/,
  /^index\.routing\.allocation\./,
  /^index\.resize\./,
  /^index\.shrink\./,
  /^index\.blocks\./,
  /^index\.lifecycle\./,
  /^index\.frozen$/,
  /^index\.search\.throttled$/,
  /^index\.verified_before_close$/,
  /^index\.soft_deletes\./,
  /^index\.mapper\.dynamic$/,
  /^index\.format$/,
  /^xpack\./,
  /^archived\./,
];

/**
 * Settings of Elasticsearch features OpenSearch lacks, dropped with a note: index modes (logsdb, time series)
 * and their routing path. Their indices keep no `_source` by default, which the reader refuses anyway; with
 * a stored `_source` the documents carry over as they are.
 */
const NOTED_DROPPED_SETTINGS = [/^index\.mode$/, /^index\.routing_path$/, /^index\.mapping\.source\.mode$/];

export function cleanSettings(settings: Record<string, unknown>, notes: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (DROPPED_SETTINGS.some((pattern) => pattern.test(key))) continue;
    if (NOTED_DROPPED_SETTINGS.some((pattern) => pattern.test(key))) {
      notes.push(`setting ${key}: ${JSON.stringify(value)} dropped (OpenSearch has no such setting)`);
      continue;
    }
    out[key] = value;
  }
  return out;
}

/**
 * Mapping keys OpenSearch refuses. `_parent` is Elasticsearch 5's parent/child link between two types of one
 * index; a child keeps its parent's id as its routing, so parents and children still share a shard.
 */
const DROPPED_MAPPING_KEYS = ['_all', '_default_', 'include_in_all', '_parent'];

/** The mapping without what OpenSearch refuses; field types converted (see `./field-conversions`) are noted in `notes`. */
export function cleanMapping(mapping: unknown, notes: string[] = []): Record<string, unknown> {
  if (!mapping || typeof mapping !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mapping as Record<string, unknown>)) {
    if (DROPPED_MAPPING_KEYS.includes(key) || dropsObjectParameter('', key, notes)) continue;
    out[key] = key === 'properties' && value && typeof value === 'object' ? cleanProperties(value as Record<string, unknown>, '', notes) : value;
  }
  return out;
}

function cleanProperties(properties: Record<string, unknown>, parent: string, notes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(properties)) {
    if (!field || typeof field !== 'object') continue;
    const path = parent ? `${parent}.${name}` : name;
    const converted = convertField(path, field as Record<string, unknown>, notes);
    if (converted) {
      out[name] = converted;
      continue;
    }
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(field as Record<string, unknown>)) {
      if (key === 'include_in_all' || dropsObjectParameter(path, key, notes)) continue;
      copy[key] = (key === 'properties' || key === 'fields') && value && typeof value === 'object' ? cleanProperties(value as Record<string, unknown>, path, notes) : value;
    }
    out[name] = copy;
  }
  return out;
}

export interface TargetIndex {
  name: string;
  body: { settings: Record<string, unknown>; mappings: Record<string, unknown>; aliases: Record<string, unknown> };
  /** The mapping type whose documents go to this index (split rule); undefined = all. */
  type?: string;
  /** What was changed for OpenSearch beyond the routine clean-up (converted field types, dropped features). */
  notes: string[];
}

/** The mapping types of an index (several only in indices created by Elasticsearch 5). */
function mappingTypes(metadata: IndexMetadata): string[] {
  return Object.keys(metadata.mappings).filter((t) => t !== '_default_');
}

/**
 * The types the merge rule folds into one index, or none: their documents lose the type, so two documents
 * of different types with the same id become one document (the last one written wins).
 */
export function mergedTypes(metadata: IndexMetadata, rule: MultiTypeRule): string[] {
  const types = mappingTypes(metadata);
  return rule === 'merge' && types.length > 1 ? types : [];
}

/** The target indices for one snapshot index. */
export function targetIndices(metadata: IndexMetadata, rule: MultiTypeRule = 'merge'): TargetIndex[] {
  const settingNotes: string[] = [];
  const settings = cleanSettings(metadata.settings, settingNotes);
  const types = mappingTypes(metadata);
  const aliases = metadata.aliases;
  if (types.length <= 1) {
    const notes = [...settingNotes];
    return [{ name: metadata.name, body: { settings, mappings: cleanMapping(types.length ? metadata.mappings[types[0]] : {}, notes), aliases }, notes }];
  }
  if (rule === 'split') {
    return types.map((type) => {
      const notes = [...settingNotes];
      return { name: `${metadata.name}_${type}`, type, body: { settings, mappings: cleanMapping(metadata.mappings[type], notes), aliases: {} }, notes };
    });
  }
  const notes = [...settingNotes];
  const merged: Record<string, unknown> = {};
  for (const type of types) {
    const mapping = cleanMapping(metadata.mappings[type], notes);
    merged.properties = { ...((merged.properties as object) ?? {}), ...((mapping.properties as object) ?? {}) };
  }
  return [{ name: metadata.name, body: { settings, mappings: merged, aliases }, notes }];
}

/** Where a document of `type` goes. */
export function targetIndexFor(metadata: IndexMetadata, rule: MultiTypeRule, type: string | undefined): string {
  const types = mappingTypes(metadata);
  if (rule === 'split' && types.length > 1 && type) return `${metadata.name}_${type}`;
  return metadata.name;
}
