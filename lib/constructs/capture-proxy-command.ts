/**
 * Command line of the capture proxy task, in the proxy's own flags (`src/capture-proxy/options.ts`).
 * The ALB terminates TLS, so the proxy listens in plain HTTP on its port inside the VPC.
 */
import { StageOptions } from '../config/options';

export const CAPTURE_PROXY_PORT = 9200;

export interface CaptureProxyCommandInputs {
  readonly options: StageOptions;
  readonly region: string;
  readonly kafkaBootstrapServers: string;
  readonly mskIamAuth: boolean;
}

export function captureProxyCommand(inputs: CaptureProxyCommandInputs): string[] {
  const { options } = inputs;
  const args = [
    '--destinationUri', options.sourceCluster.endpoint,
    '--listenPort', String(CAPTURE_PROXY_PORT),
    '--kafkaConnection', inputs.kafkaBootstrapServers,
    '--stage', options.stage,
  ];
  if (inputs.mskIamAuth) args.push('--enableMSKAuth', '--awsRegion', inputs.region);
  if (options.sourceCluster.allowInsecure) args.push('--insecureDestination');
  // One proxy process per vCPU of the task (1,024 CPU units each): a Node process uses one core.
  const workers = Math.floor(options.captureProxy.cpu / 1024);
  if (workers > 1) args.push('--workers', String(workers));
  return [...args, ...options.captureProxy.extraArgs];
}
