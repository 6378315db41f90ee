/**
 * Turns the templates of a snapshot's global metadata (legacy templates, composable index templates and
 * component templates) into requests OpenSearch accepts, converted as index metadata is: settings cleaned of
 * what belongs to the source cluster (lifecycle, allocation, versions), mappings without types.
 *
 * Which templates are taken: those named in the allowlists when given; otherwise every template except the
 * source's own: names starting with a dot, and templates the source marks `_meta.managed` (the ones
 * Elasticsearch installs for its own features, which mean nothing to OpenSearch).
 */
import { decodeMappings, flattenSettings } from '../snapshot/repository';
import type { GlobalMetadata } from '../snapshot';
import { cleanMapping, cleanSettings } from './index-metadata';

export type TemplateKind = 'component' | 'index' | 'legacy';

export interface TemplatePlan {
  kind: TemplateKind;
  name: string;
  /** The request that creates it on the target. */
  path: string;
  body: Record<string, unknown>;
  /** Set when the template is not taken, with the reason. */
  skipped?: string;
  /** An allowlisted name the snapshot does not hold. */
  missing?: true;
}

export interface TemplateSelection {
  /** Legacy and composable index templates to take (all others are skipped). */
  indexTemplateAllowlist?: string[];
  componentTemplateAllowlist?: string[];
}

/** Keys that sit at the top of a mapping; a mapping whose keys are none of these is wrapped in its type. */
const MAPPING_KEYS = new Set([
  'properties', 'dynamic', 'dynamic_templates', 'date_detection', 'numeric_detection', 'dynamic_date_formats', 'enabled', 'runtime',
  '_source', '_routing', '_meta', '_field_names', '_all', '_size', '_parent', '_timestamp', '_ttl', '_data_stream_timestamp', 'include_in_all',
]);

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});

/** One untyped mapping from a typed (`{_doc: {...}}`, several types in Elasticsearch 5) or untyped one. */
function untypedMapping(mapping: Json): Json {
  const keys = Object.keys(mapping);
  if (keys.length === 0 || keys.some((key) => MAPPING_KEYS.has(key))) return cleanMapping(mapping);
  const merged: Json = {};
  for (const type of keys.filter((k) => k !== '_default_')) {
    const clean = cleanMapping(mapping[type]);
    Object.assign(merged, clean, { properties: { ...asObject(merged.properties), ...asObject(clean.properties) } });
  }
  if (Object.keys(asObject(merged.properties)).length === 0) delete merged.properties;
  return merged;
}

function settingsOf(value: unknown): Json {
  return cleanSettings(flattenSettings(asObject(value)));
}

/** The `template` block shared by index and component templates. */
function templateBlock(value: unknown, where: string): Json {
  const template = asObject(value);
  const out: Json = {};
  if (template.settings !== undefined) out.settings = settingsOf(template.settings);
  if (template.mappings !== undefined) out.mappings = untypedMapping(decodeMappings(template.mappings, where));
  if (template.aliases !== undefined) out.aliases = template.aliases;
  return out;
}

function pick(source: Json, keys: string[]): Json {
  const out: Json = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

export function convertLegacyTemplate(name: string, raw: unknown): Json {
  const template = asObject(raw);
  // Elasticsearch 5 named one pattern in `template`; 6 and later list them in `index_patterns`.
  const patterns = template.index_patterns ?? (typeof template.template === 'string' ? [template.template] : []);
  return {
    index_patterns: patterns,
    ...pick(template, ['order', 'version']),
    settings: settingsOf(template.settings),
    mappings: untypedMapping(decodeMappings(template.mappings, `legacy template ${name}`)),
    aliases: asObject(template.aliases),
  };
}

export function convertIndexTemplate(name: string, raw: unknown): Json {
  const template = asObject(raw);
  const body: Json = { index_patterns: template.index_patterns ?? [], ...pick(template, ['composed_of', 'priority', 'version', '_meta']) };
  const block = templateBlock(template.template, `index template ${name}`);
  if (Object.keys(block).length > 0) body.template = block;
  if (template.data_stream !== undefined) {
    // Elasticsearch 7.9 named the timestamp field as a string; OpenSearch takes {timestamp_field: {name}}.
    const stream = asObject(template.data_stream);
    const field = stream.timestamp_field;
    body.data_stream = typeof field === 'string' ? { timestamp_field: { name: field } } : field !== undefined ? { timestamp_field: field } : {};
  }
  return body;
}

export function convertComponentTemplate(name: string, raw: unknown): Json {
  const template = asObject(raw);
  return { template: templateBlock(template.template, `component template ${name}`), ...pick(template, ['version', '_meta']) };
}

function skipReason(name: string, raw: unknown): string | undefined {
  if (name.startsWith('.')) return 'system template (name starts with a dot)';
  if (asObject(asObject(raw)._meta).managed === true) return 'installed by the source for its own features (_meta.managed)';
  return undefined;
}

/**
 * Every template to report, in creation order: component templates first (index templates are composed of
 * them), then index templates, then legacy templates; by name within each. With an allowlist only the
 * templates it names are reported, a name the snapshot lacks included (`missing`), so a typo shows.
 */
export function planTemplates(metadata: GlobalMetadata, selection: TemplateSelection = {}): TemplatePlan[] {
  const plans: TemplatePlan[] = [];
  const add = (kind: TemplateKind, templates: Record<string, unknown>, allowlist: string[] | undefined, convert: (name: string, raw: unknown) => Json, endpoint: string) => {
    const names = allowlist ? allowlist.filter((name) => Object.hasOwn(templates, name) || (kind === 'legacy' && !Object.hasOwn(metadata.indexTemplates, name))) : Object.keys(templates).sort();
    for (const name of names) {
      const path = `/${endpoint}/${encodeURIComponent(name)}`;
      if (!Object.hasOwn(templates, name)) {
        plans.push({ kind, name, path, body: {}, missing: true });
        continue;
      }
      const raw = templates[name];
      const skipped = allowlist ? undefined : skipReason(name, raw);
      plans.push({ kind, name, path, body: skipped ? {} : convert(name, raw), ...(skipped ? { skipped } : {}) });
    }
  };
  add('component', metadata.componentTemplates, selection.componentTemplateAllowlist, convertComponentTemplate, '_component_template');
  add('index', metadata.indexTemplates, selection.indexTemplateAllowlist, convertIndexTemplate, '_index_template');
  add('legacy', metadata.templates, selection.indexTemplateAllowlist, convertLegacyTemplate, '_template');
  return plans;
}
