import { Injectable } from '@nestjs/common';
import type { InlineProjection } from '../event-sourcing/inline-projection.js';

/** Contexts add their inline read models here when their module starts. */
@Injectable()
export class ProjectionRegistry {
  private readonly projections: InlineProjection[] = [];

  add(projection: InlineProjection): void {
    if (!this.projections.includes(projection)) this.projections.push(projection);
  }

  all(): readonly InlineProjection[] {
    return this.projections;
  }
}
