import { EventStore1764000000000 } from './1764000000000-event-store.js';
import { Cluster1764000000500 } from './1764000000500-cluster.js';
import { RegistryReadModel1764000000100 } from '../../../registry/infrastructure/1764000000100-registry-read-model.js';

/** Every migration of ModelMora, in order. Contexts add theirs here. */
export const allMigrations: Function[] = [EventStore1764000000000, RegistryReadModel1764000000100];
import { InferenceReadModel1764000000300 } from '../../../inference/infrastructure/1764000000300-inference-read-model.js';
allMigrations.push(InferenceReadModel1764000000300);
allMigrations.push(Cluster1764000000500);
