/**
 * The `services.yaml` schema, in the reference console's shape so existing files keep working. Each
 * section has its own schema and is validated only when a command needs it.
 */
import { z } from 'zod';

const nonEmpty = z.string().min(1);

const basicAuth = z.union([
  z.strictObject({ username: nonEmpty, password: nonEmpty }),
  z.strictObject({ user_secret_arn: nonEmpty }),
  // Older files name the secret this way; the secret holds the password and the username sits beside it.
  z.strictObject({ username: nonEmpty, password_from_secret_arn: nonEmpty }),
]);

const sigv4 = z.strictObject({ region: nonEmpty.optional(), service: z.enum(['es', 'aoss']).optional() }).nullable();

export const clusterSchema = z
  .strictObject({
    endpoint: z.url({ protocol: /^https?$/ }),
    allow_insecure: z.boolean().optional(),
    version: nonEmpty.optional(),
    sigv4_signing_endpoint: nonEmpty.optional(),
    no_auth: z.null().optional(),
    basic_auth: basicAuth.optional(),
    sigv4: sigv4.optional(),
    proxy: z.strictObject({ name: nonEmpty.optional(), endpoint: z.url(), allow_insecure: z.boolean().optional() }).optional(),
  })
  .refine((c) => ['no_auth', 'basic_auth', 'sigv4'].filter((k) => k in c).length <= 1, {
    message: 'give at most one of no_auth, basic_auth, sigv4',
  });

export type ClusterSection = z.infer<typeof clusterSchema>;

export const snapshotSchema = z
  .strictObject({
    snapshot_name: nonEmpty,
    snapshot_repo_name: nonEmpty.default('migration_assistant_repo'),
    mode: z.enum(['create', 'import']).optional(),
    otel_trace_endpoint: nonEmpty.optional(),
    otel_metrics_endpoint: nonEmpty.optional(),
    s3: z
      .strictObject({ repo_uri: z.string().regex(/^s3:\/\/[^/]+/, 'must look like s3://bucket/path'), aws_region: nonEmpty, role: nonEmpty.optional(), endpoint: nonEmpty.optional() })
      .optional(),
    fs: z.strictObject({ repo_path: nonEmpty }).optional(),
  })
  .refine((s) => (s.s3 ? 1 : 0) + (s.fs ? 1 : 0) === 1, { message: 'give exactly one of s3, fs' });

export type SnapshotSection = z.infer<typeof snapshotSchema>;

/** Top-level keys the reference accepts; sections this console does not read are kept unvalidated. */
export const TOP_LEVEL_KEYS = [
  'source_cluster',
  'source',
  'target_cluster',
  'target',
  'backfill',
  'metrics_source',
  'snapshot',
  'metadata_migration',
  'replay',
  'kafka',
  'client_options',
] as const;
