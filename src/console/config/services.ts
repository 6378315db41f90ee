/**
 * `services.yaml`, in the reference console's schema, so existing files keep working. The file is parsed
 * once; each section is validated only when a command needs it, so one bad section cannot break the
 * commands that do not use it. Errors name the key and its path.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConsoleError } from '../errors';

// Marker keys (`no_auth:`, `msk:`, `standard:`) carry no value: YAML gives null for `msk:`, and the
// deployment renders `msk: ""`; both mean the same.
const nullable = z.union([z.null(), z.literal('')]).optional();

const basicAuth = z
  .object({ username: z.string().min(1).optional(), password: z.string().min(1).optional(), user_secret_arn: z.string().min(1).optional(), password_from_secret_arn: z.string().min(1).optional() })
  .strict();

export const clusterSchema = z
  .object({
    endpoint: z.string().url(),
    allow_insecure: z.boolean().optional(),
    version: z.string().optional(),
    no_auth: nullable,
    basic_auth: basicAuth.optional(),
    sigv4: z.object({ region: z.string().optional(), service: z.enum(['es', 'aoss']).optional() }).strict().nullable().optional(),
    sigv4_signing_endpoint: z.string().optional(),
  })
  .strict()
  .refine((c) => [c.no_auth !== undefined, c.basic_auth !== undefined, c.sigv4 !== undefined].filter(Boolean).length <= 1, { message: 'give at most one of no_auth, basic_auth and sigv4' });

export const snapshotSchema = z
  .object({
    snapshot_name: z.string().min(1),
    snapshot_repo_name: z.string().min(1).optional(),
    s3: z.object({ repo_uri: z.string().regex(/^s3:\/\//), aws_region: z.string(), role: z.string().optional(), endpoint: z.string().optional() }).strict().optional(),
    fs: z.object({ repo_path: z.string().min(1) }).strict().optional(),
    otel_trace_endpoint: z.string().optional(),
    otel_metrics_endpoint: z.string().optional(),
  })
  .strict()
  .refine((s) => (s.s3 ? 1 : 0) + (s.fs ? 1 : 0) === 1, { message: 'give exactly one of s3 and fs' });

const ecsPlatform = z.object({ cluster_name: z.string(), service_name: z.string(), aws_region: z.string().optional() }).strict();
const localPlatform = z.object({ state_dir: z.string().optional() }).strict().nullable();

export const backfillSchema = z
  .object({
    reindex_from_snapshot: z
      .object({
        snapshot_name: z.string().optional(),
        snapshot_repo: z.string().optional(),
        session_name: z.string().optional(),
        backfill_session_name: z.string().optional(),
        scale: z.number().int().min(1).optional(),
        ecs: ecsPlatform.optional(),
        local: localPlatform.optional(),
        docker: z.object({ socket: z.string().optional() }).strict().nullable().optional(),
        k8s: z.object({ namespace: z.string(), deployment_name: z.string() }).strict().optional(),
        extra_args: z.array(z.string()).optional(),
      })
      .strict(),
  })
  .strict();

export const kafkaSchema = z
  .object({
    broker_endpoints: z.string().min(1),
    msk: nullable,
    standard: nullable,
    scram: z.object({ username: z.string(), password: z.string().optional(), password_env: z.string().optional(), ca_cert_path: z.string().optional() }).strict().optional(),
  })
  .strict()
  // None of the three means a plain connection, as `standard:` does.
  .refine((k) => [k.msk !== undefined, k.standard !== undefined, k.scram !== undefined].filter(Boolean).length <= 1, { message: 'give at most one of msk, standard and scram' });

export const metadataSchema = z
  .object({
    from_snapshot: z.unknown().nullable(),
    cluster_awareness_attributes: z.number().int().min(0).optional(),
    index_allowlist: z.array(z.string()).optional(),
    index_template_allowlist: z.array(z.string()).optional(),
    component_template_allowlist: z.array(z.string()).optional(),
    source_cluster_version: z.string().optional(),
    otel_trace_endpoint: z.string().optional(),
    otel_metrics_endpoint: z.string().optional(),
    transformer_config_base64: z.string().optional(),
  })
  .strict();

const SECTIONS = {
  source_cluster: clusterSchema,
  target_cluster: clusterSchema,
  snapshot: snapshotSchema,
  backfill: backfillSchema,
  kafka: kafkaSchema,
  metadata_migration: metadataSchema,
} as const;

type Sections = typeof SECTIONS;
export type SectionName = keyof Sections;
export type Section<K extends SectionName> = z.infer<Sections[K]>;

const ALIASES: Record<string, SectionName> = { source: 'source_cluster', target: 'target_cluster' };
const KNOWN_TOP_LEVEL = new Set([...Object.keys(SECTIONS), ...Object.keys(ALIASES), 'metrics_source', 'replay', 'client_options']);

export class ServicesConfig {
  readonly file: string;
  readonly #raw: Record<string, unknown>;

  private constructor(file: string, raw: Record<string, unknown>) {
    this.file = file;
    this.#raw = raw;
  }

  static load(file: string): ServicesConfig {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new ConsoleError('MA_CONFIG_MISSING', `cannot read the services file ${file}: give its path with --config-file`);
    }
    let raw: unknown;
    try {
      raw = parse(text) ?? {};
    } catch (error) {
      throw new ConsoleError('MA_CONFIG_INVALID', `${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConsoleError('MA_CONFIG_INVALID', `${file} must hold a mapping of sections`);
    const unknown = Object.keys(raw as object).filter((k) => !KNOWN_TOP_LEVEL.has(k));
    if (unknown.length) throw new ConsoleError('MA_CONFIG_INVALID', `${file}: unknown section "${unknown[0]}"; known: ${[...KNOWN_TOP_LEVEL].join(', ')}`);
    return new ServicesConfig(file, raw as Record<string, unknown>);
  }

  has(name: SectionName): boolean {
    return this.#value(name) !== undefined;
  }

  #value(name: SectionName): unknown {
    if (this.#raw[name] !== undefined) return this.#raw[name];
    const alias = Object.entries(ALIASES).find(([, target]) => target === name)?.[0];
    return alias ? this.#raw[alias] : undefined;
  }

  /** The section, validated now; errors name the key path (`source_cluster.basic_auth.username`). */
  section<K extends SectionName>(name: K): Section<K> {
    const value = this.#value(name);
    if (value === undefined) throw new ConsoleError('MA_CONFIG_MISSING_SECTION', `${this.file} has no "${name}" section, which this command needs`);
    const result = SECTIONS[name].safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      const path = [name, ...issue.path.map(String)].join('.');
      const detail = issue.code === 'unrecognized_keys' ? `unknown key "${(issue as { keys: string[] }).keys[0]}"` : issue.message;
      throw new ConsoleError('MA_CONFIG_INVALID', `${this.file}: ${path}: ${detail}`);
    }
    return result.data as Section<K>;
  }
}
