import { afterEach, expect, it } from '@jest/globals';
import type { Admin } from 'kafkajs';
import { ConfigurationError, optionsFromEnv } from '../../src/shared/config/options-from-env.js';
import { createKafkaClient } from '../../src/shared/kafka/kafka-client.factory.js';
import { describeKafka, kafkaBrokers } from '../support/kafka.js';

// The shared test broker speaks PLAINTEXT without SASL: a client configured for SASL or TLS
// is refused by it in a way that proves the handshake was really attempted.
describeKafka('Kafka SASL/TLS settings (KAFKA_SASL_*, KAFKA_SSL)', () => {
  const base = { KAFKA_BROKERS: kafkaBrokers() };
  let admin: Admin | undefined;
  const connect = (env: NodeJS.ProcessEnv) => {
    admin = createKafkaClient(optionsFromEnv({ ...base, ...env }).kafka!, '-security-test', 'Test').admin();
    return admin.connect();
  };
  afterEach(async () => {
    await admin?.disconnect().catch(() => undefined);
    admin = undefined;
  });

  it('connects without them', async () => {
    await expect(connect({})).resolves.toBeUndefined();
  });

  it('performs a SASL handshake with KAFKA_SASL_MECHANISM/USERNAME/PASSWORD (the plaintext broker rejects it)', async () => {
    const env = { KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: 'secret' };
    expect(optionsFromEnv({ ...base, ...env }).kafka).toMatchObject({ sasl: { mechanism: 'scram-sha-512', username: 'svc', password: 'secret' } });
    await expect(connect(env)).rejects.toThrow(/SASL/);
  });

  it('opens TLS with KAFKA_SSL=true (the plaintext broker cannot complete it)', async () => {
    await expect(connect({ KAFKA_SSL: 'true' })).rejects.toThrow(/TLS/);
  });

  it.each([
    [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SSL: 'true' }, 'KAFKA_SASL_PASSWORD'],
    [{ KAFKA_SASL_USERNAME: 'u' }, 'KAFKA_SASL_MECHANISM'],
    [{ KAFKA_SSL: 'maybe' }, 'KAFKA_SSL'],
  ])('refuses to start on %j, naming %s', (env, variable) => {
    expect(() => optionsFromEnv({ ...base, ...env })).toThrow(ConfigurationError);
    expect(() => optionsFromEnv({ ...base, ...env })).toThrow(variable);
  });
});
