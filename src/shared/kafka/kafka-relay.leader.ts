import type { LeaderLock } from '../cluster/leader-lock.js';
import type { KafkaRelay } from './kafka-relay.js';

/**
 * One relay in the cluster: a relay runs here only while this process holds the
 * `kafka-relay` leader lock. Each term starts a fresh relay from the SHARED checkpoint, so a
 * new leader goes on where the last acknowledged send of the old one left off.
 */
export class LeaderRelay {
  private current?: KafkaRelay;
  private transition: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly lock: LeaderLock,
    private readonly newRelay: () => KafkaRelay,
  ) {
    lock.onAcquired(() => this.enqueue(async () => this.begin()));
    lock.onLost(() => this.enqueue(async () => this.end()));
  }

  /** The relay of the current term; undefined while another instance leads. */
  get relay(): KafkaRelay | undefined {
    return this.current;
  }

  get isLeader(): boolean {
    return this.lock.isLeader;
  }

  start(): void {
    this.lock.start();
  }

  notify(): void {
    this.current?.notify();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.lock.stop(); // fires onLost while leader
    this.enqueue(async () => this.end());
    await this.transition;
  }

  private begin(): void {
    if (this.stopping || this.current) return;
    this.current = this.newRelay();
    this.current.start();
  }

  private async end(): Promise<void> {
    const relay = this.current;
    this.current = undefined;
    await relay?.stop();
  }

  private enqueue(step: () => Promise<void>): void {
    this.transition = this.transition.then(step).catch(() => undefined);
  }
}
