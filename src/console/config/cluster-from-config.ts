/** Turns a validated `source_cluster`/`target_cluster` section into a ClusterClient. */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ClusterClient, type ClusterAuth } from '../../cluster';
import { ConsoleError } from '../errors';
import { secretValue } from './secrets';
import type { ClusterSection } from './services-schema';

export async function clusterAuth(section: ClusterSection, secrets?: () => SecretsManagerClient): Promise<ClusterAuth> {
  const basic = section.basic_auth;
  if (basic) {
    if ('password' in basic) return { type: 'basic', username: basic.username, password: basic.password };
    if ('password_from_secret_arn' in basic) {
      return { type: 'basic', username: basic.username, password: await secretValue(basic.password_from_secret_arn, secrets) };
    }
    const raw = await secretValue(basic.user_secret_arn, secrets);
    let parsed: { username?: unknown; password?: unknown };
    try {
      parsed = JSON.parse(raw) as typeof parsed;
    } catch {
      throw new ConsoleError('MA_CONFIG_SECRET', `secret ${basic.user_secret_arn} is not JSON with "username" and "password"`);
    }
    if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
      throw new ConsoleError('MA_CONFIG_SECRET', `secret ${basic.user_secret_arn} lacks string "username" and "password" keys`);
    }
    return { type: 'basic', username: parsed.username, password: parsed.password };
  }
  if (section.sigv4 !== undefined) {
    const region = section.sigv4?.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new ConsoleError('MA_CONFIG_INVALID', 'sigv4.region is not set and neither is AWS_REGION');
    return { type: 'sigv4', region, service: section.sigv4?.service ?? 'es' };
  }
  return { type: 'none' };
}

export async function clusterClient(section: ClusterSection, options: { timeoutMs?: number; maxRetries?: number; secrets?: () => SecretsManagerClient } = {}): Promise<ClusterClient> {
  return new ClusterClient({
    endpoint: section.endpoint,
    auth: await clusterAuth(section, options.secrets),
    // The reference's default: TLS checks on for https unless turned off.
    allowInsecure: section.allow_insecure ?? false,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
}

export function isServerless(section: ClusterSection): boolean {
  return section.sigv4?.service === 'aoss';
}
