import { Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces } from '@nestjs/swagger';
import { ApiController } from '../../../shared/http/api-controller.decorator.js';
import { InferenceMetrics } from '../../application/metrics/inference-metrics.js';

/** Prometheus text exposition format 0.0.4. */
@ApiController('metrics', 'metrics')
export class MetricsController {
  constructor(private readonly metrics: InferenceMetrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOperation({ summary: 'Metrics in Prometheus text format' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
