import { entitiesOf, migrationsOf } from './shared/nest/context-feature.js';
import { registryFeature } from './registry/registry.feature.js';
import { lifecycleFeature } from './lifecycle/lifecycle.feature.js';
import { inferenceFeature } from './inference/inference.feature.js';

/** Every context ModelMora composes, as handed to the kernel. */
export const modelMoraFeatures = [registryFeature, lifecycleFeature, inferenceFeature] as const;

/** Their records and migrations, for opening ModelMora's database outside the module (tools, tests). */
export const modelMoraTables = { entities: entitiesOf(modelMoraFeatures), migrations: migrationsOf(modelMoraFeatures) };
