/**
 * Secrets Manager look-ups for cluster passwords: each ARN is fetched once per process (the reference
 * fetched it on every HTTP call) and the value is never logged.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConsoleError } from '../errors';

const cache = new Map<string, Promise<string>>();

export function secretValue(arn: string, client: () => SecretsManagerClient = defaultClient): Promise<string> {
  let value = cache.get(arn);
  if (!value) {
    value = fetchSecret(arn, client());
    cache.set(arn, value);
    value.catch(() => cache.delete(arn));
  }
  return value;
}

function defaultClient(): SecretsManagerClient {
  return new SecretsManagerClient({});
}

async function fetchSecret(arn: string, client: SecretsManagerClient): Promise<string> {
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (out.SecretString === undefined) throw new Error('the secret has no string value');
    return out.SecretString;
  } catch (error) {
    throw new ConsoleError('MA_CONFIG_SECRET', `cannot read secret ${arn}: ${(error as Error).message}`);
  }
}

/** Forgets cached values (tests). */
export function clearSecretCache(): void {
  cache.clear();
}
