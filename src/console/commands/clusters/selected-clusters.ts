/** The clusters a `clusters …` command talks to, built from services.yaml. */
import type { ClusterClient } from '../../../cluster';
import { clusterClient } from '../../clusters';
import type { Section } from '../../config/services';
import { servicesFile, type ConsoleIo } from '../../io';

export type ClusterRole = 'source' | 'target';

export interface SelectedCluster {
  role: ClusterRole;
  section: Section<'source_cluster'>;
  client: ClusterClient;
}

export interface ClientOptions {
  timeoutMs?: number;
  maxRetries?: number;
}

/** Both configured clusters (source first); a missing section is skipped, an invalid one fails. */
export async function configuredClusters(io: ConsoleIo, options: ClientOptions = {}): Promise<SelectedCluster[]> {
  const file = servicesFile(io);
  const roles = (['source', 'target'] as const).filter((r) => file.has(`${r}_cluster`));
  return Promise.all(roles.map((r) => oneCluster(io, r, options)));
}

export async function oneCluster(io: ConsoleIo, role: ClusterRole, options: ClientOptions = {}): Promise<SelectedCluster> {
  const file = servicesFile(io);
  const section = file.section(`${role}_cluster`);
  return { role, section, client: await clusterClient(file, `${role}_cluster`, options.timeoutMs, options.maxRetries) };
}

export function closeAll(clusters: SelectedCluster[]): void {
  for (const c of clusters) c.client.close();
}

export function label(role: ClusterRole): string {
  return `${role.toUpperCase()} CLUSTER`;
}
