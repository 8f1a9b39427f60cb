import { describe, expect, it } from '@jest/globals';
import { KafkaJSProtocolError } from 'kafkajs';
import { waitForTopicLeaders } from './kafka-topics.js';

const unknownTopic = () => Object.assign(new KafkaJSProtocolError('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
const led = (name: string) => ({ name, partitions: [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], offlineReplicas: [], partitionErrorCode: 0 }] });

/** Answers in turn what `answers` say: an error to throw or the topics to return. */
function broker(answers: Array<Error | ReturnType<typeof led>[]>) {
  let asked = 0;
  return {
    get asked() { return asked; },
    async fetchTopicMetadata() {
      const answer = answers[Math.min(asked++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return { topics: answer };
    },
  };
}

describe('waitForTopicLeaders', () => {
  it('waits through a KRaft broker that does not know the topic it just created (kafkajs gives up there)', async () => {
    const admin = broker([unknownTopic(), unknownTopic(), [led('t')]]);
    await waitForTopicLeaders(admin, ['t']);
    expect(admin.asked).toBe(3);
  });

  it('waits until every partition has a leader', async () => {
    const leaderless = { name: 't', partitions: [{ ...led('t').partitions[0]!, leader: -1 }] };
    const admin = broker([[leaderless], [led('t')]]);
    await waitForTopicLeaders(admin, ['t']);
    expect(admin.asked).toBe(2);
  });

  it('throws any other error at once', async () => {
    const admin = broker([new Error('SASL authentication failed')]);
    await expect(waitForTopicLeaders(admin, ['t'])).rejects.toThrow('SASL authentication failed');
    expect(admin.asked).toBe(1);
  });

  it('gives up after its timeout with the broker\'s own answer', async () => {
    const admin = broker([unknownTopic()]);
    await expect(waitForTopicLeaders(admin, ['t'], 250)).rejects.toThrow('does not host this topic-partition');
  });
});
