import { Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import { ApiController } from '../../../shared/http/api-controller.decorator.js';
import { InferenceMetrics } from '../../application/metrics/inference-metrics.js';
import { QUEUE_DEPTH, type QueueDepth } from '../../application/metrics/queue-depth.port.js';

/** Prometheus text exposition format 0.0.4. */
@ApiController('metrics', 'metrics')
export class MetricsController {
  constructor(
    private readonly metrics: InferenceMetrics,
    @Inject(QUEUE_DEPTH) private readonly depth: QueueDepth,
  ) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Metrics in Prometheus text format' })
  scrape(): Promise<string> {
    return this.metrics.scrape(this.depth.depthByPriority());
  }
}
