/**
 * A TLS peer certificate that Node refused, told apart from other connection failures so a client can
 * say "the certificate is not trusted" and where its CA goes, rather than "cannot reach". kafkajs keeps
 * the socket's error code on its connection error, which retry errors wrap as their `cause`.
 */

// Node's codes for a certificate that does not chain to a trusted CA, or is not valid now.
const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
]);
const HOSTNAME_MISMATCH = 'ERR_TLS_CERT_ALTNAME_INVALID';

export interface CertificateRefusal {
  code: string;
  /** Node's explanation, without kafkajs's "Connection error: " prefix. */
  reason: string;
  /** The certificate is valid but names other hosts: the fix is the host name, not the CA. */
  hostnameMismatch: boolean;
}

/** The certificate refusal in `error` or its causes, if that is what it is. */
export function certificateRefusal(error: unknown): CertificateRefusal | undefined {
  let e = error;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && (UNTRUSTED.has(code) || code === HOSTNAME_MISMATCH)) {
      return { code, reason: String(message ?? code).replace(/^Connection error: /, ''), hostnameMismatch: code === HOSTNAME_MISMATCH };
    }
    e = cause;
  }
  return undefined;
}
