/** Which engine and version a cluster runs, from its root endpoint. */
export interface ClusterVersion {
  flavor: 'elasticsearch' | 'opensearch';
  number: string;
  major: number;
  minor: number;
  patch: number;
}

interface RootResponse {
  version?: { number?: string; distribution?: string };
  tagline?: string;
}

/**
 * OpenSearch reports `version.distribution: "opensearch"`; with compatibility mode on it also claims
 * number 7.10.2, so the distribution field is checked before the number.
 */
export function parseClusterVersion(root: unknown): ClusterVersion {
  const body = root as RootResponse;
  const number = body?.version?.number;
  if (typeof number !== 'string') throw new Error('the root endpoint did not report version.number');
  const [major, minor, patch] = number.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  const flavor = body.version?.distribution === 'opensearch' || /opensearch/i.test(body.tagline ?? '') ? 'opensearch' : 'elasticsearch';
  return { flavor, number, major: major || 0, minor: minor || 0, patch: patch || 0 };
}

export function describeVersion(version: ClusterVersion): string {
  return `${version.flavor === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version.number}`;
}
