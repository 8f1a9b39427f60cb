import { Get, Header, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import { ApiController } from '../../../shared/http/edge/api-controller.decorator.js';
import { metricsSources, type MetricsSource } from '../../../shared/health/metrics-source.js';
import { InferenceMetrics } from '../../application/metrics/inference-metrics.js';
import { QUEUE_DEPTH, type QueueDepth } from '../../application/metrics/queue-depth.port.js';

/** Prometheus text exposition format 0.0.4: the inference metrics, then the kernel's (event feed, relay). */
@ApiController('metrics', 'metrics')
export class MetricsController implements OnApplicationBootstrap {
  private sources: MetricsSource[] = [];

  constructor(
    private readonly metrics: InferenceMetrics,
    @Inject(QUEUE_DEPTH) private readonly depth: QueueDepth,
    private readonly discovery: DiscoveryService,
  ) {}

  onApplicationBootstrap(): void {
    this.sources = metricsSources(this.discovery);
  }

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Metrics in Prometheus text format' })
  async scrape(): Promise<string> {
    const texts = await Promise.all([this.metrics.scrape(this.depth.depthByPriority()), ...this.sources.map((s) => s.registry.metrics())]);
    return texts.filter(Boolean).join('\n');
  }
}
