import { createPrivateKey, X509Certificate } from 'node:crypto';
import { ACMClient, DeleteCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { CertificateImportError, onCertificateEvent } from '../../lib/constructs/self-signed-certificate/handler';
import { createSelfSignedCertificate } from '../../lib/constructs/self-signed-certificate/x509';

const acmMock = mockClient(ACMClient);
const acm = new ACMClient({ region: 'eu-west-1' });
const ARN = 'arn:aws:acm:eu-west-1:1:certificate/abc';
const awsError = (name: string) => Object.assign(new Error(`${name} message`), { name });

beforeEach(() => acmMock.reset());

describe('self-signed X.509', () => {
  it('is a valid v3 certificate signed by its own key, with the name as CN and DNS SAN', () => {
    const { certificatePem, privateKeyPem } = createSelfSignedCertificate('proxy.example.internal', new Date('2049-12-31T00:00:00Z'), 2);
    const certificate = new X509Certificate(certificatePem);
    expect(certificate.subject).toBe('CN=proxy.example.internal');
    expect(certificate.issuer).toBe('CN=proxy.example.internal');
    expect(certificate.subjectAltName).toBe('DNS:proxy.example.internal');
    // Crosses 2050: UTCTime before, GeneralizedTime after.
    expect(new Date(certificate.validFrom).toISOString()).toBe('2049-12-31T00:00:00.000Z');
    expect(new Date(certificate.validTo).toISOString()).toBe('2050-01-02T00:00:00.000Z');
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(createPrivateKey(privateKeyPem))).toBe(true);
  });
});

describe('certificate custom resource', () => {
  it('imports a new certificate on Create and returns its ARN as the physical id', async () => {
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    const result = await onCertificateEvent({ RequestType: 'Create', ResourceProperties: { CommonName: 'alb.internal' } }, acm, new Date('2026-06-01T00:00:00Z'));
    expect(result).toEqual({ PhysicalResourceId: ARN });
    const input = acmMock.commandCalls(ImportCertificateCommand)[0].args[0].input;
    const certificate = new X509Certificate(Buffer.from(input.Certificate as Uint8Array));
    expect(certificate.subject).toBe('CN=alb.internal');
    expect(new Date(certificate.validFrom).toISOString()).toBe('2026-05-31T00:00:00.000Z');
    expect(certificate.checkPrivateKey(createPrivateKey(Buffer.from(input.PrivateKey as Uint8Array)))).toBe(true);
  });

  it('keeps the certificate on Update', async () => {
    expect(await onCertificateEvent({ RequestType: 'Update', PhysicalResourceId: ARN, ResourceProperties: {} }, acm)).toEqual({ PhysicalResourceId: ARN });
    expect(acmMock.calls()).toHaveLength(0);
  });

  it('deletes the certificate on Delete, and treats an already deleted one as done', async () => {
    acmMock.on(DeleteCertificateCommand).resolvesOnce({}).rejects(awsError('ResourceNotFoundException'));
    expect(await onCertificateEvent({ RequestType: 'Delete', PhysicalResourceId: ARN, ResourceProperties: {} }, acm)).toEqual({ PhysicalResourceId: ARN });
    expect(await onCertificateEvent({ RequestType: 'Delete', PhysicalResourceId: ARN, ResourceProperties: {} }, acm)).toEqual({ PhysicalResourceId: ARN });
    expect(acmMock.commandCalls(DeleteCertificateCommand)).toHaveLength(2);
  });

  it('does not call ACM to delete a resource whose Create failed (no ARN)', async () => {
    await onCertificateEvent({ RequestType: 'Delete', PhysicalResourceId: 'failed-create', ResourceProperties: {} }, acm);
    expect(acmMock.calls()).toHaveLength(0);
  });

  it('names the failed ACM call', async () => {
    acmMock.on(ImportCertificateCommand).rejects(awsError('LimitExceededException'));
    await expect(onCertificateEvent({ RequestType: 'Create', ResourceProperties: {} }, acm)).rejects.toThrow(CertificateImportError);
    await expect(onCertificateEvent({ RequestType: 'Create', ResourceProperties: {} }, acm)).rejects.toThrow(/ImportCertificate .* LimitExceededException/);
    acmMock.on(DeleteCertificateCommand).rejects(awsError('ResourceInUseException'));
    await expect(onCertificateEvent({ RequestType: 'Delete', PhysicalResourceId: ARN, ResourceProperties: {} }, acm)).rejects.toThrow(/DeleteCertificate of arn:aws:acm:eu-west-1:1:certificate\/abc failed: ResourceInUseException/);
  });
});
