/** The clusters a `clusters …` command talks to, built from services.yaml. */
import type { ClusterClient } from '../../../cluster';
import { clusterClient } from '../../config/cluster-from-config';
import type { ClusterSection } from '../../config/services-schema';
import { servicesFile, type ConsoleIo } from '../../io';

export type ClusterRole = 'source' | 'target';

export interface SelectedCluster {
  role: ClusterRole;
  section: ClusterSection;
  client: ClusterClient;
}

/** Both configured clusters (source first); a missing section is skipped, an invalid one fails. */
export async function configuredClusters(io: ConsoleIo, options: { timeoutMs?: number; maxRetries?: number } = {}): Promise<SelectedCluster[]> {
  const file = servicesFile(io);
  const roles = (['source', 'target'] as const).filter((r) => file.hasCluster(r));
  return Promise.all(roles.map((r) => oneCluster(io, r, options)));
}

export async function oneCluster(io: ConsoleIo, role: ClusterRole, options: { timeoutMs?: number; maxRetries?: number } = {}): Promise<SelectedCluster> {
  const section = servicesFile(io).cluster(role);
  return { role, section, client: await clusterClient(section, options) };
}

export function closeAll(clusters: SelectedCluster[]): void {
  for (const c of clusters) c.client.close();
}

export function label(role: ClusterRole): string {
  return `${role.toUpperCase()} CLUSTER`;
}
