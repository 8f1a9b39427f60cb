import { Injectable } from '@nestjs/common';
import type { InferenceInput, InferenceOutput } from './inference-runtime.js';

/**
 * Job inputs and outputs that ride along with one group commit. They are written by
 * `JobPayloadsProjection` in the same transaction as the events they belong to, and
 * never enter an event payload.
 */
export class FlushPayloads {
  readonly inputs = new Map<string, InferenceInput>();
  readonly outputs = new Map<string, InferenceOutput>();
}

/** The payloads of the flush being written right now (one writer, so at most one). */
@Injectable()
export class PendingPayloads {
  current: FlushPayloads | undefined;
}
