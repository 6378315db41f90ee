/**
 * `console metadata migrate [--index-allowlist a,b] [--dry-run]` (and `metadata evaluate`, the dry run):
 * creates on the target, from the snapshot named in services.yaml, first its templates (component, then
 * composable index, then legacy templates), then its indices with their settings, mappings and aliases,
 * converted the way the backfill workers convert them (source-only settings dropped, mapping types removed,
 * multi-type indices merged or split). What already exists on the target is left alone; each template and
 * index is reported as created, existing, skipped (with the reason) or failed.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { targetIndices, type MultiTypeRule } from '../../../backfill/index-metadata';
import { planTemplates, type TemplateKind } from '../../../backfill/template-metadata';
import { openRepository } from '../../../snapshot';
import type { ClusterClient } from '../../../cluster';
import { clusterClient } from '../../clusters';
import { CommandFailedWithResult } from '../../errors';
import { table } from '../../format';
import { emit, servicesFile, type CommandDefinition, type ConsoleIo } from '../../io';

export interface MetadataMigrateFlags {
  indexAllowlist?: string[];
  indexTemplateAllowlist?: string[];
  componentTemplateAllowlist?: string[];
  dryRun?: boolean;
  multiTypeBehavior: MultiTypeRule;
}

export interface MigratedIndex {
  source: string;
  target: string;
  /** `created`, `would create` (dry run), `exists` (left alone) or `failed`. */
  status: 'created' | 'would create' | 'exists' | 'failed';
  error?: string;
  /** What was adapted for OpenSearch (converted field types, dropped settings), when anything was. */
  changes?: string[];
}

export interface MigratedTemplate {
  kind: TemplateKind;
  name: string;
  /** As for indices, plus `skipped` (not taken, see `reason`). */
  status: 'created' | 'would create' | 'exists' | 'skipped' | 'failed';
  reason?: string;
}

export interface MetadataMigrateResult {
  snapshot: string;
  dryRun: boolean;
  templates: MigratedTemplate[];
  indices: MigratedIndex[];
}

const KIND_LABEL: Record<TemplateKind, string> = { component: 'component template', index: 'index template', legacy: 'legacy template' };

export const metadataMigrate: CommandDefinition<MetadataMigrateResult> = {
  name: 'metadata migrate',
  text: (r) =>
    `${r.dryRun ? 'Evaluating' : 'Migrating'} index metadata of snapshot ${r.snapshot}\n` +
    (r.templates.length ? table(['TEMPLATE', 'TYPE', 'RESULT'], r.templates.map((t) => [t.name, KIND_LABEL[t.kind], t.reason ? `${t.status}: ${t.reason}` : t.status])) + '\n' : '') +
    (r.indices.length ? table(['SOURCE INDEX', 'TARGET INDEX', 'RESULT'], r.indices.map((i) => [i.source, i.target, i.error ? `${i.status}: ${i.error}` : i.status])) : 'No index to migrate\n') +
    r.indices
      .filter((i) => i.changes?.length)
      .map((i) => `\nAdapted for OpenSearch in ${i.target}:\n${i.changes!.map((c) => `  - ${c}`).join('\n')}\n`)
      .join(''),
};

export async function runMetadataMigrate(flags: MetadataMigrateFlags, io: ConsoleIo, command = metadataMigrate): Promise<MetadataMigrateResult> {
  const config = servicesFile(io);
  const snapshotSection = config.section('snapshot');
  const metadataSection = config.has('metadata_migration') ? config.section('metadata_migration') : undefined;
  const allowlist = flags.indexAllowlist ?? metadataSection?.index_allowlist;
  const repo = snapshotSection.fs
    ? openRepository(snapshotSection.fs.repo_path)
    : openRepository(snapshotSection.s3!.repo_uri, { region: snapshotSection.s3!.aws_region, endpoint: snapshotSection.s3!.endpoint });
  const snapshot = await repo.snapshot(snapshotSection.snapshot_name);
  const target = await clusterClient(config, 'target_cluster', 60_000);
  try {
    const result: MetadataMigrateResult = { snapshot: snapshot.name, dryRun: flags.dryRun === true, templates: [], indices: [] };
    result.templates = await migrateTemplates(target, await repo.globalMetadata(snapshot), {
      indexTemplateAllowlist: flags.indexTemplateAllowlist ?? metadataSection?.index_template_allowlist,
      componentTemplateAllowlist: flags.componentTemplateAllowlist ?? metadataSection?.component_template_allowlist,
      dryRun: flags.dryRun === true,
    });
    const names = snapshot.indices.filter((name) => (allowlist ? allowlist.includes(name) : !name.startsWith('.'))).sort();
    // An allowlisted index the snapshot lacks is a failure to report, not something to pass over (a typo).
    for (const name of (allowlist ?? []).filter((n) => !snapshot.indices.includes(n))) result.indices.push({ source: name, target: name, status: 'failed', error: 'not in the snapshot' });
    for (const name of names) {
      for (const index of targetIndices(await repo.indexMetadata(snapshot, name), flags.multiTypeBehavior)) {
        const entry: MigratedIndex = { source: name, target: index.name, status: 'created', ...(index.notes.length ? { changes: index.notes } : {}) };
        const exists = (await target.request('HEAD', `/${encodeURIComponent(index.name)}`, { expectStatus: [404] })).status === 200;
        if (exists) entry.status = 'exists';
        else if (flags.dryRun) entry.status = 'would create';
        else {
          try {
            await target.request('PUT', `/${encodeURIComponent(index.name)}`, { body: index.body });
          } catch (error) {
            entry.status = 'failed';
            entry.error = (error as Error).message;
          }
        }
        result.indices.push(entry);
      }
    }
    const failed = [...result.templates.filter((t) => t.status === 'failed').map((t) => `${KIND_LABEL[t.kind]} ${t.name}`), ...result.indices.filter((i) => i.status === 'failed').map((i) => `index ${i.target}`)];
    if (failed.length > 0) {
      throw new CommandFailedWithResult('MA_METADATA_FAILED', `${failed.length} of ${result.templates.length + result.indices.length} templates and indices could not be created on the target (first: ${failed[0]})`, result, command.text(result));
    }
    emit(io, command, result);
    return result;
  } finally {
    target.close();
  }
}

async function exists(target: ClusterClient, path: string): Promise<boolean> {
  return (await target.request('HEAD', path, { expectStatus: [404] })).status === 200;
}

async function migrateTemplates(
  target: ClusterClient,
  metadata: Parameters<typeof planTemplates>[0],
  options: { indexTemplateAllowlist?: string[]; componentTemplateAllowlist?: string[]; dryRun: boolean },
): Promise<MigratedTemplate[]> {
  const results: MigratedTemplate[] = [];
  const components = new Set<string>();
  for (const plan of planTemplates(metadata, options)) {
    const entry: MigratedTemplate = { kind: plan.kind, name: plan.name, status: 'created' };
    results.push(entry);
    if (plan.missing) {
      Object.assign(entry, { status: 'failed', reason: 'not in the snapshot' });
      continue;
    }
    if (plan.skipped) {
      Object.assign(entry, { status: 'skipped', reason: plan.skipped });
      continue;
    }
    if (plan.kind === 'index') {
      // The target refuses an index template whose component templates it does not have.
      const needed = (plan.body.composed_of as string[] | undefined) ?? [];
      const missing: string[] = [];
      for (const name of needed) if (!components.has(name) && !(await exists(target, `/_component_template/${encodeURIComponent(name)}`))) missing.push(name);
      if (missing.length > 0) {
        Object.assign(entry, { status: 'skipped', reason: `composed of ${missing.join(', ')}, not migrated and not on the target` });
        continue;
      }
    }
    if (await exists(target, plan.path)) entry.status = 'exists';
    else if (options.dryRun) entry.status = 'would create';
    else {
      try {
        await target.request('PUT', plan.path, { body: plan.body });
      } catch (error) {
        Object.assign(entry, { status: 'failed', reason: (error as Error).message });
      }
    }
    if (plan.kind === 'component' && entry.status !== 'failed') components.add(plan.name);
  }
  return results;
}

function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter(Boolean);
}

function multiType(value: string): MultiTypeRule {
  if (value !== 'merge' && value !== 'split') throw new InvalidArgumentError('must be "merge" or "split"');
  return value;
}

export function metadataOptions(command: Command): Command {
  return command
    .option('--index-allowlist <names>', 'comma-separated indices to migrate (default: metadata_migration.index_allowlist, else every index not starting with a dot)', list)
    .option('--index-template-allowlist <names>', 'comma-separated legacy and composable index templates to migrate (default: metadata_migration.index_template_allowlist, else all but the source\'s own: names starting with a dot, or marked _meta.managed)', list)
    .option('--component-template-allowlist <names>', 'comma-separated component templates to migrate (default: metadata_migration.component_template_allowlist, else all but the source\'s own)', list)
    .option('--multi-type-behavior <merge|split>', 'for indices with several mapping types (Elasticsearch 5): one merged index, or one index per type', multiType, 'merge');
}

export function registerMetadataMigrate(group: Command, io: () => ConsoleIo): void {
  metadataOptions(group.command('migrate').description('create the snapshot\'s templates and indices on the target with converted settings, mappings and aliases'))
    .option('--dry-run', 'only report what would be created')
    .addHelpText('after', '\nExample:\n  console metadata migrate --index-allowlist logs-2024,orders --dry-run')
    .action(async (flags: MetadataMigrateFlags) => {
      await runMetadataMigrate(flags, io());
    });
}
