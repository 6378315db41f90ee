/**
 * Elasticsearch field types OpenSearch lacks but has a near equivalent for. A mapping that names one of them
 * would make creating the target index fail ("No handler for type [flattened]"), so the field is mapped as
 * the equivalent instead, and the change is reported: documents keep their `_source` unchanged, only how
 * OpenSearch indexes that field differs. Types with no equivalent (`dense_vector` without k-NN settings,
 * `histogram`, `aggregate_metric_double`, `semantic_text`) are left as they are, so that creating the index
 * fails with OpenSearch's own message naming the field.
 */

interface Conversion {
  type: string;
  /** What is lost, for the report. */
  caveat: string;
}

const CONVERSIONS: Record<string, Conversion> = {
  // Both index every leaf of an object as keywords under the field's name.
  flattened: { type: 'flat_object', caveat: 'its parameters (depth_limit, ignore_above, null_value, …) are dropped' },
  // Versions become plain keywords: equality and prefix queries work, semantic-version ordering does not.
  version: { type: 'keyword', caveat: 'ranges and sorting follow string order, not version order' },
  // A keyword that also counts repeated values; OpenSearch keeps the values, not the counts.
  counted_keyword: { type: 'keyword', caveat: 'value counts are not kept' },
};

/** Object-level mapping parameters OpenSearch refuses, dropped wherever they appear. */
const DROPPED_OBJECT_PARAMETERS: Record<string, string> = {
  // Dotted field names are then expanded into objects, which is how OpenSearch reads them anyway.
  subobjects: 'dotted field names are read as objects',
};

/**
 * The field mapping OpenSearch accepts for `field` at `path`, noting each change in `notes`; undefined
 * when nothing needs to change.
 */
export function convertField(path: string, field: Record<string, unknown>, notes: string[]): Record<string, unknown> | undefined {
  const conversion = typeof field.type === 'string' ? CONVERSIONS[field.type] : undefined;
  if (!conversion) return undefined;
  notes.push(`field ${path}: ${String(field.type)} mapped as ${conversion.type} (${conversion.caveat})`);
  return { type: conversion.type };
}

/** Whether `key` of an object mapping at `path` ('' for the root) is dropped; the drop is noted. */
export function dropsObjectParameter(path: string, key: string, notes: string[]): boolean {
  const reason = DROPPED_OBJECT_PARAMETERS[key];
  if (reason === undefined) return false;
  notes.push(`${path ? `object ${path}` : 'mapping root'}: ${key} dropped (${reason})`);
  return true;
}
