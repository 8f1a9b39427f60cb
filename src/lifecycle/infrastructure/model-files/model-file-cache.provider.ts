import { Logger, type FactoryProvider } from '@nestjs/common';
import type { ModelMoraOptions } from '../../../shared/config/modelmora-options.js';
import { MODELMORA_OPTIONS } from '../../../shared/nest/tokens.js';
import { ModelFileCache } from './model-file-cache.js';
import { sourcePolicyFromOptions } from './source-policy.js';

/** The server's one model file cache, under MODELMORA_MODEL_DIR with the configured source policy. */
export const modelFileCacheProvider: FactoryProvider<ModelFileCache> = {
  provide: ModelFileCache,
  inject: [MODELMORA_OPTIONS],
  useFactory: (options: ModelMoraOptions) =>
    new ModelFileCache({ modelDir: options.modelDir, logger: new Logger('ModelFiles'), policy: sourcePolicyFromOptions(options) }),
};
