import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { instanceStreamIds } from '../../../shared/cluster/instance-id.js';
import { InstanceLease } from '../../../shared/cluster/instance-lease.js';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { AggregateRepository } from '../../../shared/event-sourcing/aggregate-repository.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { INFERENCE_QUEUE } from '../../domain/inference-queue.events.js';
import type { LiveJob } from '../../domain/inference-queue.state.js';
import { JobDispatcher } from '../dispatch/job-dispatcher.js';
import { InferenceQueue } from '../inference-queue.aggregate.js';
import { QueueRecovery } from '../queue-recovery.js';
import { QueueRecorder } from '../recording/queue-recorder.js';

/** A survivor finishes a dead instance's acknowledged jobs, moved in one transaction that conflicts if the owner was alive after all (docs/scale-out.md). */
@Injectable()
export class QueueTakeover implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('QueueTakeover');
  private timer?: NodeJS.Timeout;
  private scanning = false;

  constructor(
    private readonly lease: InstanceLease,
    private readonly recorder: QueueRecorder,
    private readonly repository: AggregateRepository,
    private readonly recovery: QueueRecovery,
    private readonly dispatcher: JobDispatcher,
    @Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.scan(), this.options.leaseHeartbeatMs ?? 5_000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Takes over every orphaned instance it can claim; returns how many jobs moved here. */
  async scan(): Promise<number> {
    if (this.scanning || !this.lease.held) return 0;
    this.scanning = true;
    let moved = 0;
    try {
      for (const orphan of await this.lease.findOrphans()) {
        const claim = await this.lease.tryClaim(orphan.instanceId);
        if (!claim) continue;
        try {
          moved += await this.takeOver(orphan.instanceId);
          await claim.retire();
        } catch (err) {
          await claim.release();
          this.logger.warn({ msg: 'taking over a dead instance failed; the next scan tries again', instance_id: orphan.instanceId, error: String(err) });
        }
      }
    } catch (err) {
      this.logger.warn({ msg: 'scan for dead instances failed', error: String(err) });
    } finally {
      this.scanning = false;
    }
    return moved;
  }

  private async takeOver(instanceId: string): Promise<number> {
    const dead = await this.repository.load(new InferenceQueue(instanceStreamIds(instanceId).inferenceQueueId));
    const jobs: LiveJob[] = [...dead.jobs()].map((j) => ({ ...j }));
    if (jobs.length === 0) return 0;
    const decision = this.recorder.decide(
      (queue, ctx) => queue.adopt({ queueId: dead.id, jobs }, ctx),
      {},
      ({ released }) => [{ aggregateId: dead.id, aggregateType: INFERENCE_QUEUE, expectedVersion: dead.version, events: released }],
    );
    await decision.recorded;
    const adopted = new Set(decision.events.map((e) => e.payload.job_id as string));
    const live = this.recorder.read((queue) => [...adopted].map((id) => queue.job(id)).filter((j): j is LiveJob => j !== undefined).map((j) => ({ ...j })));
    const { lost } = await this.recovery.withInputs(live);
    if (lost.length) this.dispatcher.failLost(lost.map((j) => j.job_id));
    this.dispatcher.wake();
    this.logger.log({ msg: 'took over a dead instance\'s jobs', instance_id: instanceId, jobs: adopted.size, without_inputs: lost.length });
    return adopted.size;
  }
}
