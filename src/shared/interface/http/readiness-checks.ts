import { Injectable } from '@nestjs/common';

/** A dependency that can degrade the service without making it unready (Kafka, workers). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<{ status: 'up' | 'down' | 'disabled'; [key: string]: unknown }>;
}

@Injectable()
export class ReadinessChecks {
  readonly list: ReadinessCheck[] = [];
}
