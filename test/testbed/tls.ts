/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost, made with
 * `openssl` the first time a server needs TLS and kept in that server's folder afterwards, so clients can
 * trust the test bed's TLS listeners by naming one PEM file (the CA) instead of turning verification off.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestbedError } from './errors';

export interface TestbedCertificate {
  /** PEM: the CA certificate, what clients trust. */
  caFile: string;
  /** PEM: the server's private key (PKCS#8, encrypted with `keyPassword`), its certificate, then the CA's. */
  keystoreFile: string;
  /** Java reads a PEM key store's key only when it is encrypted, so the key carries this password. */
  keyPassword: string;
}

const KEY_PASSWORD = 'testbed-key-password';
const VALID_DAYS = '3650';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: Buffer };
    const detail = e.code === 'ENOENT' ? 'openssl is not installed' : (e.stderr?.toString().trim() ?? e.message);
    throw new TestbedError('TESTBED_TLS_FAILED', `cannot make the test bed's TLS certificate in ${cwd}: openssl ${args[0]} failed: ${detail}`);
  }
}

/** The certificate in `dir`, made there on first use (EC P-256 keys: instant to generate, accepted by Java and Node). */
export function testbedCertificate(dir: string): TestbedCertificate {
  const certificate = { caFile: join(dir, 'ca.pem'), keystoreFile: join(dir, 'server-keystore.pem'), keyPassword: KEY_PASSWORD };
  if (existsSync(certificate.caFile) && existsSync(certificate.keystoreFile)) return certificate;
  // Made in a staging folder and renamed, so an interrupted first start leaves no half-made certificate.
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', VALID_DAYS, '-subj', '/CN=Migration Assistant test bed CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], staging);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], staging);
  writeFileSync(join(staging, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', VALID_DAYS, '-extfile', 'server.ext', '-out', 'server.pem'], staging);
  // PBES1 (SHA-1 and 3DES) rather than openssl's PBES2 default, which older JDKs cannot decrypt.
  openssl(['pkcs8', '-topk8', '-in', 'server.key', '-out', 'server-key.p8', '-v1', 'PBE-SHA1-3DES', '-passout', `pass:${KEY_PASSWORD}`], staging);
  const read = (name: string) => readFileSync(join(staging, name), 'utf8');
  writeFileSync(join(staging, 'server-keystore.pem'), read('server-key.p8') + read('server.pem') + read('ca.pem'), { mode: 0o600 });
  for (const name of ['ca.key', 'server.key', 'server.csr', 'server.ext', 'server.pem', 'server-key.p8', 'ca.srl']) rmSync(join(staging, name), { force: true });
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return certificate;
}
