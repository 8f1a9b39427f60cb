// Readiness probe for scripts/kafka.sh: one real admin round trip through kafkajs,
// the client the app uses. Exit 0 only if the broker at PROBE_BROKER answers
// metadata requests and, when PROBE_CLUSTER_ID is set, is that cluster (so a
// foreign broker squatting on the port never passes).
import { Kafka, logLevel } from 'kafkajs';

const kafka = new Kafka({
  clientId: 'kafka-sh-probe',
  brokers: [process.env.PROBE_BROKER ?? '127.0.0.1:9092'],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 3000,
  requestTimeout: 5000,
  retry: { retries: 0 },
});
const admin = kafka.admin();
try {
  await admin.connect();
  const { clusterId } = await admin.describeCluster();
  await admin.listTopics();
  const expected = process.env.PROBE_CLUSTER_ID;
  if (expected && clusterId !== expected) {
    console.error(`cluster id ${clusterId} is not ${expected}`);
    process.exitCode = 2;
  }
} catch (error) {
  console.error(String(error));
  process.exitCode = 1;
} finally {
  await admin.disconnect().catch(() => {});
}
