import { DiscoveryService } from '@nestjs/core';

/** A dependency that can degrade the service without making it unready (Kafka, workers). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<{ status: 'up' | 'down' | 'disabled'; [key: string]: unknown }>;
}

/**
 * Marks a provider as a `ReadinessCheck` of `/health/ready`: the health endpoint finds it
 * the way the CQRS module finds handlers, so no one has to push it into a list.
 */
export const ReadinessProbe = DiscoveryService.createDecorator<void>();
