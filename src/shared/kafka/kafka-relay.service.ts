import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { Saga, type ICommand, type IEvent } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { INSTANCE_ID } from '../cluster/cluster.tokens.js';
import { dedicatedConnections } from '../cluster/dedicated-connection.js';
import { LeaderLock } from '../cluster/leader-lock.js';
import { StoreNotifications } from '../cluster/store-notifications.js';
import type { KafkaOptions } from '../config/modelmora-options.js';
import type { OpenedDatabase } from '../database/data-source.js';
import { CheckpointStore } from '../event-store/checkpoint-store.js';
import { PostgresEventStore } from '../event-store/event-store.js';
import { observeEvery } from '../nest/safe-saga.js';
import { OPENED_DATABASE } from '../nest/tokens.js';
import { KafkaRelay, KAFKA_RELAY_CHECKPOINT } from './kafka-relay.js';
import { LeaderRelay } from './kafka-relay.leader.js';
import { KAFKA_OPTIONS } from './kafka.tokens.js';

/**
 * The relay's Nest lifecycle: after bootstrap it competes for the `kafka-relay` leader lock
 * (on PostgreSQL; on PGlite it simply leads) and relays while it leads; woken by every local
 * commit and, with the ClusterModule, by every instance's commit (LISTEN); stopped on destroy.
 */
@Injectable()
export class KafkaRelayService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('KafkaRelay');
  private leader?: LeaderRelay;
  private unlisten?: () => void;
  private destroyed = false;

  constructor(
    @Inject(KAFKA_OPTIONS) private readonly kafka: KafkaOptions | null,
    private readonly store: PostgresEventStore,
    private readonly checkpoints: CheckpointStore,
    @Optional() @Inject(OPENED_DATABASE) private readonly opened?: OpenedDatabase,
    @Optional() @Inject(INSTANCE_ID) private readonly instanceId?: string,
    @Optional() @Inject(StoreNotifications) private readonly notifications?: StoreNotifications,
  ) {}

  /** The running relay (undefined when Kafka is off, before bootstrap, or while another instance leads). */
  get instance(): KafkaRelay | undefined {
    return this.leader?.relay;
  }

  /** Every local commit wakes the relay (events reach the bus only after their commit). */
  @Saga()
  wakeOnCommit = (events$: Observable<IEvent>): Observable<ICommand> => observeEvery(events$, () => this.leader?.notify(), this.logger);

  async onApplicationBootstrap(): Promise<void> {
    if (!this.kafka) {
      this.logger.log('Kafka relay off: no Kafka brokers configured (KAFKA_BROKERS); events are stored and dispatched in-process only');
      return;
    }
    const kafka = this.kafka;
    // The Kafka client is loaded only when Kafka is on: it costs start-up time and memory otherwise.
    const [{ createKafkaClient }, { KafkajsRelayBroker }] = await Promise.all([import('./kafka-client.factory.js'), import('./kafka-relay.broker.js')]);
    if (this.destroyed) return;
    const lock = new LeaderLock(KAFKA_RELAY_CHECKPOINT, {
      connect: this.opened ? dedicatedConnections(this.opened) : undefined,
      instanceId: this.instanceId,
      logger: this.logger,
    });
    this.leader = new LeaderRelay(lock, () => {
      const broker = new KafkajsRelayBroker(createKafkaClient(kafka, '-relay', 'KafkaRelay'));
      this.logger.log({ msg: 'Kafka relay started (leader)', brokers: kafka.brokers.join(','), topic_prefix: kafka.topicPrefix });
      return new KafkaRelay(this.store, this.checkpoints, broker, { topicPrefix: kafka.topicPrefix, logger: this.logger });
    });
    this.unlisten = this.notifications?.subscribe(() => this.leader?.notify());
    this.leader.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.destroyed = true;
    this.unlisten?.();
    await this.leader?.stop();
  }
}
