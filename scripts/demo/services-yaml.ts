/** The migration's services.yaml for the local demo, in the console's schema. */
import { stringify } from 'yaml';

export interface DemoServices {
  source: string;
  target: string;
  kafka: string;
  repoPath: string;
  snapshotName: string;
  sessionName: string;
  workerStateDir: string;
  /** The demo's own indices: the backfill takes only these from the snapshot. */
  indices: string[];
}

export function demoServicesYaml(s: DemoServices): string {
  return stringify({
    source_cluster: { endpoint: s.source, allow_insecure: true, version: 'ES_7.10', no_auth: null },
    target_cluster: { endpoint: s.target, allow_insecure: true, no_auth: null },
    kafka: { broker_endpoints: s.kafka, standard: null },
    snapshot: { snapshot_name: s.snapshotName, snapshot_repo_name: 'demo_repo', fs: { repo_path: s.repoPath } },
    metadata_migration: { from_snapshot: null, source_cluster_version: 'ES_7.10' },
    backfill: {
      reindex_from_snapshot: {
        snapshot_name: s.snapshotName,
        backfill_session_name: s.sessionName,
        scale: 1,
        local: { state_dir: s.workerStateDir },
        extra_args: ['--index-allowlist', s.indices.join(','), '--lease-seconds', '60'],
      },
    },
  });
}
