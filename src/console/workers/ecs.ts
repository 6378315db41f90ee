/** Workers as an ECS service: the desired count is the service's, scaled with UpdateService. */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { ConsoleError } from '../errors';
import type { WorkerCounts, WorkerPlatform } from './platform';

export class EcsWorkers implements WorkerPlatform {
  readonly description: string;
  readonly #client: ECSClient;

  constructor(
    readonly cluster: string,
    readonly service: string,
    region?: string,
    client?: ECSClient,
  ) {
    this.description = `ECS service ${service} in cluster ${cluster}`;
    this.#client = client ?? new ECSClient(region ? { region } : {});
  }

  async counts(): Promise<WorkerCounts> {
    const response = await this.#client.send(new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }));
    const service = response.services?.[0];
    if (!service) throw new ConsoleError('MA_BACKFILL_SERVICE_MISSING', `ECS service ${this.service} does not exist in cluster ${this.cluster}`);
    return { running: service.runningCount ?? 0, pending: service.pendingCount ?? 0, desired: service.desiredCount ?? 0 };
  }

  async scale(desired: number): Promise<WorkerCounts> {
    await this.#client.send(new UpdateServiceCommand({ cluster: this.cluster, service: this.service, desiredCount: desired }));
    return this.counts();
  }
}
