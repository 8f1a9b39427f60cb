import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import type { ModelMoraOptions } from '../../config/modelmora-options.js';
import { MetricsSourceProvider, type MetricsSource } from '../../health/metrics-source.js';
import { MODELMORA_OPTIONS } from '../../nest/tokens.js';
import { SseChannels, type SseChannel } from '../sse-channel.js';

/** The open event streams of this instance, at most MODELMORA_MAX_STREAM_CLIENTS, counted on `/metrics`. */
@Injectable()
@MetricsSourceProvider()
export class EventStreamClients implements MetricsSource, BeforeApplicationShutdown {
  readonly registry = new Registry();
  private readonly channels: SseChannels;
  private readonly dropped: Counter<'reason'>;

  constructor(@Inject(MODELMORA_OPTIONS) options: ModelMoraOptions) {
    this.channels = new SseChannels(options.maxStreamClients);
    const open: Gauge = new Gauge({
      name: 'modelmora_feed_stream_clients',
      help: 'Open event streams (SSE: dashboards, events --follow, other clients)',
      registers: [this.registry],
      collect: () => open.set(this.channels.count),
    });
    this.dropped = new Counter({
      name: 'modelmora_feed_stream_clients_dropped_total',
      help: 'Event streams the server closed because the client stopped reading: its buffer overflowed, or it took nothing for a heartbeat interval',
      labelNames: ['reason'] as const,
      registers: [this.registry],
    });
  }

  /** Holds a place for a stream about to open; false when every place is taken. */
  reserve(): boolean {
    return this.channels.reserve();
  }

  release(): void {
    this.channels.release();
  }

  add(channel: SseChannel): SseChannel {
    void channel.closed.then((reason) => {
      if (reason === 'overflow' || reason === 'stalled') this.dropped.inc({ reason });
    });
    return this.channels.add(channel);
  }

  beforeApplicationShutdown(): void {
    this.channels.endAll();
  }
}
