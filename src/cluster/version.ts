/** Which engine and version a cluster runs, from its root endpoint (or its nodes info where the root is closed). */
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

/** Major, minor and patch of a version number such as "7.10.2" or "8.0.0-rc1" (missing parts are 0). */
function numberParts(number: string): Pick<ClusterVersion, 'major' | 'minor' | 'patch'> {
  const [major, minor, patch] = number.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  return { major: major || 0, minor: minor || 0, patch: patch || 0 };
}

/**
 * OpenSearch reports `version.distribution: "opensearch"`; with compatibility mode on it also claims
 * number 7.10.2, so the distribution field is checked before the number.
 */
export function parseClusterVersion(root: unknown): ClusterVersion {
  const body = root as RootResponse;
  const number = body?.version?.number;
  if (typeof number !== 'string') throw new Error('the root endpoint did not report version.number');
  const flavor = body.version?.distribution === 'opensearch' || /opensearch/i.test(body.tagline ?? '') ? 'opensearch' : 'elasticsearch';
  return { flavor, number, ...numberParts(number) };
}

interface NodesInfoResponse {
  nodes?: Record<string, { version?: string; build_flavor?: string }>;
}

/**
 * The same answer from `GET /_nodes/_local`, for clusters whose root endpoint is closed to the caller (a
 * restricted role, a gateway, or a build without the root module). Nodes info has no distribution field:
 * Elasticsearch 6.3+ reports `build_flavor`, which OpenSearch dropped, and OpenSearch has no 5.x or 6.x, so a
 * node without it is OpenSearch only below major 5.
 */
export function parseNodesInfoVersion(nodesInfo: unknown): ClusterVersion {
  const node = Object.values((nodesInfo as NodesInfoResponse)?.nodes ?? {})[0];
  const number = node?.version;
  if (typeof number !== 'string') throw new Error('the nodes info did not report a node version');
  const parts = numberParts(number);
  const flavor = node.build_flavor !== undefined || parts.major >= 5 ? 'elasticsearch' : 'opensearch';
  return { flavor, number, ...parts };
}

export function describeVersion(version: ClusterVersion): string {
  return `${version.flavor === 'opensearch' ? 'OpenSearch' : 'Elasticsearch'} ${version.number}`;
}
