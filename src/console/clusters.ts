/** Cluster clients from services.yaml sections; basic-auth secrets come from Secrets Manager once per process. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClusterClient, type ClusterAuth } from '../cluster';
import { ConsoleError } from './errors';
import type { Section, ServicesConfig } from './config/services';

const secrets = new Map<string, Promise<{ username: string; password: string }>>();

function secret(arn: string): Promise<{ username: string; password: string }> {
  let cached = secrets.get(arn);
  if (!cached) {
    cached = new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: arn })).then((response) => {
      const parsed = JSON.parse(response.SecretString ?? '{}') as { username?: string; password?: string };
      if (!parsed.username || !parsed.password) throw new ConsoleError('MA_CONFIG_SECRET', `secret ${arn} must hold a JSON object with username and password`);
      return { username: parsed.username, password: parsed.password };
    });
    secrets.set(arn, cached);
  }
  return cached;
}

async function authFor(section: Section<'source_cluster'>): Promise<ClusterAuth> {
  if (section.basic_auth) {
    const arn = section.basic_auth.user_secret_arn ?? section.basic_auth.password_from_secret_arn;
    if (arn && !section.basic_auth.password) {
      const fromSecret = await secret(arn);
      return { type: 'basic', username: section.basic_auth.username ?? fromSecret.username, password: fromSecret.password };
    }
    if (!section.basic_auth.username || !section.basic_auth.password) throw new ConsoleError('MA_CONFIG_INVALID', 'basic_auth needs username and password, or user_secret_arn');
    return { type: 'basic', username: section.basic_auth.username, password: section.basic_auth.password };
  }
  if (section.sigv4 !== undefined) {
    const region = section.sigv4?.region ?? process.env.AWS_REGION;
    if (!region) throw new ConsoleError('MA_CONFIG_INVALID', 'sigv4 needs a region (sigv4.region or AWS_REGION)');
    return { type: 'sigv4', region, service: section.sigv4?.service ?? 'es' };
  }
  return { type: 'none' };
}

export type ClusterRole = 'source_cluster' | 'target_cluster';

export async function clusterClient(config: ServicesConfig, role: ClusterRole, timeoutMs = 30_000, maxRetries = 2): Promise<ClusterClient> {
  const section = config.section(role);
  return new ClusterClient({ endpoint: section.endpoint, auth: await authFor(section), allowInsecure: section.allow_insecure ?? section.endpoint.startsWith('http:'), timeoutMs, maxRetries });
}

/** Serverless collections have no `_refresh` and no `_cat/indices/_all`. */
export function isServerless(section: Section<'source_cluster'>): boolean {
  return section.sigv4?.service === 'aoss';
}

export function roleLabel(role: ClusterRole): string {
  return role === 'source_cluster' ? 'SOURCE CLUSTER' : 'TARGET CLUSTER';
}
