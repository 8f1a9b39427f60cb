import { EventStore1764000000000 } from './1764000000000-event-store.js';
import { Cluster1764000000500 } from './1764000000500-cluster.js';

/** The kernel's own tables (event store, snapshots, checkpoints, cluster); contexts bring theirs. */
export const kernelMigrations: Function[] = [EventStore1764000000000, Cluster1764000000500];
