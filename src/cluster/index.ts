export { ClusterClient, type ClusterConfig, type ClusterResponse, type RequestOptions } from './client';
export { ClusterError, type ClusterErrorCode } from './errors';
export type { ClusterAuth } from './auth';
export { parseClusterVersion, describeVersion, type ClusterVersion } from './version';
