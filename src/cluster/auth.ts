/**
 * Request authentication: none, HTTP basic, or AWS SigV4 (service `es` for Amazon OpenSearch Service,
 * `aoss` for Serverless). SigV4 signs the final bytes, so a gzip body is compressed before signing.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export type ClusterAuth =
  | { type: 'none' }
  | { type: 'basic'; username: string; password: string }
  | { type: 'sigv4'; region: string; service: 'es' | 'aoss'; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider };

export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export type Authenticator = (request: OutgoingRequest) => Promise<Record<string, string>>;

export function authenticator(auth: ClusterAuth | undefined): Authenticator {
  if (!auth || auth.type === 'none') return async (request) => request.headers;
  if (auth.type === 'basic') {
    const value = 'Basic ' + Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    return async (request) => ({ ...request.headers, authorization: value });
  }
  const signer = new SignatureV4({
    service: auth.service,
    region: auth.region,
    sha256: Sha256,
    credentials: auth.credentials ?? fromNodeProviderChain(),
  });
  return async (request) => {
    const query: Record<string, string> = {};
    request.url.searchParams.forEach((value, key) => {
      query[key] = value;
    });
    const signed = await signer.sign({
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      port: request.url.port ? Number(request.url.port) : undefined,
      path: decodeURIComponent(request.url.pathname),
      query,
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    });
    return signed.headers as Record<string, string>;
  };
}
