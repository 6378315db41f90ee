/** A Kafka admin client from the services.yaml `kafka` section: plain, SCRAM over TLS, or MSK IAM. */
import { Kafka, logLevel, type Admin, type SASLOptions } from 'kafkajs';
import type { Section } from './config/services';

export async function kafkaAdmin(section: Section<'kafka'>): Promise<Admin> {
  let sasl: SASLOptions | undefined;
  let ssl = false;
  if (section.scram) {
    const password = section.scram.password ?? process.env[section.scram.password_env ?? 'KAFKA_SCRAM_PASSWORD'] ?? '';
    sasl = { mechanism: 'scram-sha-512', username: section.scram.username, password };
    ssl = true;
  } else if (section.msk !== undefined) {
    const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
    const region = process.env.AWS_REGION ?? 'us-east-1';
    sasl = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }) };
    ssl = true;
  }
  const kafka = new Kafka({ clientId: 'migration-console', brokers: section.broker_endpoints.split(',').map((b) => b.trim()), ssl, sasl, logLevel: logLevel.NOTHING, connectionTimeout: 5000, requestTimeout: 15000, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  return admin;
}
