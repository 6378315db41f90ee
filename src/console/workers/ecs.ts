/** Workers as an ECS service: the desired count is the service's, scaled with UpdateService. */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ConsoleError } from '../errors';
import type { WorkerCounts, WorkerPlatform } from './platform';

export interface EcsWorkersOptions {
  region?: string;
  client?: ECSClient;
  /** How often waitUntilStopped asks ECS (tests shorten it). */
  pollIntervalMs?: number;
}

export class EcsWorkers implements WorkerPlatform {
  readonly description: string;
  readonly #client: ECSClient;
  readonly #pollIntervalMs: number;

  constructor(
    readonly cluster: string,
    readonly service: string,
    options: EcsWorkersOptions = {},
  ) {
    this.description = `ECS service ${service} in cluster ${cluster}`;
    this.#client = options.client ?? new ECSClient(options.region ? { region: options.region } : {});
    this.#pollIntervalMs = options.pollIntervalMs ?? 5000;
  }

  async counts(): Promise<WorkerCounts> {
    const response = await this.#call('DescribeServices', () => this.#client.send(new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] })));
    const service = response.services?.[0];
    if (!service || service.status === 'INACTIVE') {
      const reason = response.failures?.[0]?.reason ?? service?.status;
      throw new ConsoleError('MA_BACKFILL_SERVICE_MISSING', `ECS service ${this.service} does not exist in cluster ${this.cluster}${reason ? ` (${reason})` : ''}; check backfill.reindex_from_snapshot.ecs in services.yaml`);
    }
    return { running: service.runningCount ?? 0, pending: service.pendingCount ?? 0, desired: service.desiredCount ?? 0 };
  }

  async scale(desired: number): Promise<WorkerCounts> {
    const response = await this.#call('UpdateService', () => this.#client.send(new UpdateServiceCommand({ cluster: this.cluster, service: this.service, desiredCount: desired })));
    const service = response.service;
    // UpdateService answers with the service as it now is; asking again would only add a round trip.
    if (service) return { running: service.runningCount ?? 0, pending: service.pendingCount ?? 0, desired: service.desiredCount ?? desired };
    return this.counts();
  }

  async waitUntilStopped(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.counts();
      if (counts.running + counts.pending === 0) return true;
      if (Date.now() + this.#pollIntervalMs > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, this.#pollIntervalMs));
    }
  }

  /** AWS errors become one sentence naming the call, the service and what AWS said. */
  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const e = error as { name?: string; message?: string };
      const where = `ECS ${operation} on service ${this.service} in cluster ${this.cluster}`;
      switch (e.name) {
        case 'ClusterNotFoundException':
          throw new ConsoleError('MA_BACKFILL_SERVICE_MISSING', `${where} failed: the cluster does not exist; check backfill.reindex_from_snapshot.ecs.cluster_name in services.yaml`);
        case 'ServiceNotFoundException':
        case 'ServiceNotActiveException':
          throw new ConsoleError('MA_BACKFILL_SERVICE_MISSING', `${where} failed: the service does not exist or is not active; check backfill.reindex_from_snapshot.ecs.service_name in services.yaml`);
        case 'AccessDeniedException':
          throw new ConsoleError('MA_AWS_ACCESS_DENIED', `${where} was denied: ${e.message ?? 'no reason given'}`);
        case 'CredentialsProviderError':
          throw new ConsoleError('MA_AWS_CREDENTIALS', `${where} needs AWS credentials and none were found: ${e.message ?? ''}`.trim());
        default:
          throw new ConsoleError('MA_AWS_ERROR', `${where} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`);
      }
    }
  }
}
