import { DiscoveryService } from '@nestjs/core';
import type { Registry } from 'prom-client';

/** A provider whose Prometheus registry `/metrics` serves beside the others. */
export interface MetricsSource {
  readonly registry: Registry;
}

/** Marks a provider as a MetricsSource: `/metrics` finds it the way `/health/ready` finds readiness checks. */
export const MetricsSourceProvider = DiscoveryService.createDecorator<void>();

/** Every marked provider's registry, for the one `/metrics` endpoint. */
export function metricsSources(discovery: DiscoveryService): MetricsSource[] {
  return discovery.getProviders({ metadataKey: MetricsSourceProvider.KEY }).map((w) => w.instance as MetricsSource).filter(Boolean);
}
