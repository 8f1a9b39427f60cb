import { describe, expect, it } from '@jest/globals';
import { resolveOptions } from '../../src/shared/config/modelmora-options.js';
import { ConfigurationError, optionsFromEnv } from '../../src/shared/config/options-from-env.js';
import { resolveSourcePolicy, sourcePolicyFromOptions } from '../../src/lifecycle/infrastructure/model-files/index.js';

const policyFromEnv = (env: NodeJS.ProcessEnv) => resolveSourcePolicy(sourcePolicyFromOptions(resolveOptions(optionsFromEnv(env))));

describe('model source settings from the environment', () => {
  it('defaults to the working directory, public addresses only, 4 GiB and 30 minutes', () => {
    expect(policyFromEnv({})).toEqual({ roots: [process.cwd()], allowPrivateAddresses: false, maxBytes: 4096 * 1024 * 1024, timeoutMs: 1_800_000 });
  });

  it('reads MODELMORA_SOURCE_ROOTS as a path list and the limits', () => {
    const env = { MODELMORA_SOURCE_ROOTS: '/srv/models:/mnt/hf', MODELMORA_ALLOW_PRIVATE_SOURCES: 'true', MODELMORA_MAX_SOURCE_MB: '10', MODELMORA_DOWNLOAD_TIMEOUT_MS: '5000' };
    expect(policyFromEnv(env)).toEqual({ roots: ['/srv/models', '/mnt/hf'], allowPrivateAddresses: true, maxBytes: 10 * 1024 * 1024, timeoutMs: 5000 });
  });

  it.each([
    [{ MODELMORA_SOURCE_ROOTS: 'models' }, 'MODELMORA_SOURCE_ROOTS'],
    [{ MODELMORA_ALLOW_PRIVATE_SOURCES: 'sure' }, 'MODELMORA_ALLOW_PRIVATE_SOURCES'],
    [{ MODELMORA_MAX_OUTPUT_MB: '0' }, 'MODELMORA_MAX_OUTPUT_MB'],
    [{ MODELMORA_CRASH_LOOP_MAX_CRASHES: 'x' }, 'MODELMORA_CRASH_LOOP_MAX_CRASHES'],
  ])('refuses %j at start, naming %s', (env, variable) => {
    expect(() => optionsFromEnv(env)).toThrow(ConfigurationError);
    expect(() => optionsFromEnv(env)).toThrow(variable);
  });
});
