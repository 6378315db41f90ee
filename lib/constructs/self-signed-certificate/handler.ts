/**
 * Custom resource (CDK Provider framework) that imports a freshly generated self-signed certificate into
 * ACM for the ALB when no `albAcmCertArn` is given. The physical id is the certificate ARN. Update keeps the
 * certificate; Delete removes it (already gone counts as done). The framework sends the CloudFormation
 * response, so this handler only returns.
 */
import { ACMClient, DeleteCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { createSelfSignedCertificate } from './x509';

export interface CertificateEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: { readonly CommonName?: string; readonly ValidDays?: string };
}

export class CertificateImportError extends Error {
  readonly code = 'MA_CERTIFICATE_IMPORT_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'CertificateImportError';
  }
}

export async function onCertificateEvent(event: CertificateEvent, acm: ACMClient, now: Date = new Date()): Promise<{ PhysicalResourceId: string }> {
  if (event.RequestType === 'Update' && event.PhysicalResourceId) return { PhysicalResourceId: event.PhysicalResourceId };
  if (event.RequestType === 'Delete') {
    const arn = event.PhysicalResourceId ?? '';
    if (arn.startsWith('arn:')) {
      try {
        await acm.send(new DeleteCertificateCommand({ CertificateArn: arn }));
      } catch (error) {
        if ((error as { name?: string }).name !== 'ResourceNotFoundException') {
          throw new CertificateImportError(`DeleteCertificate of ${arn} failed: ${(error as Error).name}: ${(error as Error).message}`);
        }
      }
    }
    return { PhysicalResourceId: arn };
  }
  const commonName = event.ResourceProperties.CommonName ?? 'migration-assistant.internal';
  const validDays = Number(event.ResourceProperties.ValidDays ?? '3650');
  // Valid from a day ago so clock differences do not make a brand-new certificate "not yet valid".
  const certificate = createSelfSignedCertificate(commonName, new Date(now.getTime() - 86_400_000), validDays);
  try {
    const imported = await acm.send(
      new ImportCertificateCommand({ Certificate: Buffer.from(certificate.certificatePem), PrivateKey: Buffer.from(certificate.privateKeyPem), Tags: [{ Key: 'migration-assistant:self-signed', Value: commonName }] }),
    );
    if (!imported.CertificateArn) throw new Error('no CertificateArn in the response');
    return { PhysicalResourceId: imported.CertificateArn };
  } catch (error) {
    throw new CertificateImportError(`ImportCertificate of a self-signed certificate for ${commonName} failed: ${(error as Error).name}: ${(error as Error).message}`);
  }
}

export async function handler(event: CertificateEvent): Promise<{ PhysicalResourceId: string }> {
  return onCertificateEvent(event, new ACMClient({}));
}
