/**
 * The test bed's throwaway CA and server certificate: the server certificate chains to the CA, names
 * 127.0.0.1 and localhost, its key opens with the published password, and a second start reuses them.
 */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testbedCertificate } from '../../testbed/tls';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'testbed-tls-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const pemBlocks = (text: string, label: string): string[] => text.match(new RegExp(`-----BEGIN ${label}-----[^-]+-----END ${label}-----`, 'g')) ?? [];

it('makes a CA and a server certificate for 127.0.0.1 and localhost signed by it', () => {
  // WHEN the certificate is made in an empty folder
  const made = testbedCertificate(join(root, 'tls'));

  // THEN the CA is a CA, the server certificate is signed by it and valid for the loopback names only
  const ca = new X509Certificate(readFileSync(made.caFile));
  expect(ca.ca).toBe(true);
  const keystore = readFileSync(made.keystoreFile, 'utf8');
  const [server, chainedCa, ...more] = pemBlocks(keystore, 'CERTIFICATE').map((pem) => new X509Certificate(pem));
  expect(more).toEqual([]);
  expect(chainedCa.fingerprint256).toBe(ca.fingerprint256);
  expect(server.ca).toBe(false);
  expect(server.verify(ca.publicKey)).toBe(true);
  expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
  expect(server.checkHost('localhost')).toBe('localhost');
  expect(server.checkHost('example.com')).toBeUndefined();
  // AND the key store's key is encrypted, opens with the password, and belongs to the server certificate
  const [encryptedKey] = pemBlocks(keystore, 'ENCRYPTED PRIVATE KEY');
  expect(() => createPrivateKey(encryptedKey)).toThrow();
  const key = createPrivateKey({ key: encryptedKey, passphrase: made.keyPassword });
  expect(createPublicKey(key).export({ format: 'der', type: 'spki' })).toEqual(server.publicKey.export({ format: 'der', type: 'spki' }));
  expect(statSync(made.keystoreFile).mode & 0o077).toBe(0);
});

it('reuses the certificate already in the folder', () => {
  const first = testbedCertificate(join(root, 'reused'));
  const ca = readFileSync(first.caFile, 'utf8');
  const again = testbedCertificate(join(root, 'reused'));
  expect(again).toEqual(first);
  expect(readFileSync(again.caFile, 'utf8')).toBe(ca);
});
