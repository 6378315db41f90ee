/** Cluster clients from services.yaml sections; basic-auth secrets come from Secrets Manager once per process. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClusterClient, type ClusterAuth } from '../cluster';
import { ConsoleError } from './errors';
import type { Section, ServicesConfig } from './config/services';

const secrets = new Map<string, Promise<{ username?: string; password: string }>>();

/**
 * A secret holds either JSON `{"username","password"}` (`user_secret_arn`) or, in older deployments
 * (`password_from_secret_arn`), the bare password. Fetched once per ARN per process; never logged.
 */
function secret(arn: string): Promise<{ username?: string; password: string }> {
  let cached = secrets.get(arn);
  if (!cached) {
    cached = new SecretsManagerClient({})
      .send(new GetSecretValueCommand({ SecretId: arn }))
      .catch((error: Error) => {
        throw new ConsoleError('MA_CONFIG_SECRET', `cannot read secret ${arn}: ${error.message}`);
      })
      .then((response) => {
        const text = response.SecretString ?? '';
        let parsed: { username?: unknown; password?: unknown } | undefined;
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          parsed = undefined;
        }
        if (parsed && typeof parsed === 'object' && typeof parsed.password === 'string' && parsed.password) {
          return { username: typeof parsed.username === 'string' ? parsed.username : undefined, password: parsed.password };
        }
        if (text && !text.trimStart().startsWith('{')) return { password: text };
        throw new ConsoleError('MA_CONFIG_SECRET', `secret ${arn} must hold a JSON object with username and password, or the password itself`);
      });
    cached.catch(() => secrets.delete(arn));
    secrets.set(arn, cached);
  }
  return cached;
}

async function authFor(section: Section<'source_cluster'>): Promise<ClusterAuth> {
  if (section.basic_auth) {
    const arn = section.basic_auth.user_secret_arn ?? section.basic_auth.password_from_secret_arn;
    if (arn && !section.basic_auth.password) {
      const fromSecret = await secret(arn);
      const username = section.basic_auth.username ?? fromSecret.username;
      if (!username) throw new ConsoleError('MA_CONFIG_INVALID', `basic_auth: secret ${arn} holds no username, so basic_auth.username is needed`);
      return { type: 'basic', username, password: fromSecret.password };
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
