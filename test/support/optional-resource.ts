import { expect } from '@jest/globals';
import { appendFileSync, mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { skipReportPath } from './skip-report.mjs';

/** What a newcomer may lack; CI has each (MODELMORA_REQUIRE_<NAME>=1), so nothing is skipped there. */
export const OPTIONAL_RESOURCES = {
  postgres: 'MODELMORA_REQUIRE_POSTGRES',
  kafka: 'MODELMORA_REQUIRE_KAFKA',
  chromium: 'MODELMORA_REQUIRE_CHROMIUM',
  'oip-spec': 'MODELMORA_REQUIRE_OIP_SPEC',
  'libonnx-testdata': 'MODELMORA_REQUIRE_ONNX_TESTDATA',
  'maven-models': 'MODELMORA_REQUIRE_MAVEN_MODELS',
} as const;
export type OptionalResource = keyof typeof OPTIONAL_RESOURCES;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Whether a suite's optional resource is here. When it is not: a failure if it is required,
 * else the reason is noted for the run's summary (test/support/skip-reporter.mjs prints each
 * resource once, with its reason) and the caller skips.
 */
export function optionalResource(name: OptionalResource, available: boolean, reason: string): boolean {
  if (available) return true;
  const required = OPTIONAL_RESOURCES[name];
  if (process.env[required] === '1') throw new Error(`${required}=1 but ${reason}`);
  const testPath = expect.getState().testPath;
  const suite = testPath ? relative(ROOT, testPath) : '';
  mkdirSync(skipReportPath().dir, { recursive: true });
  appendFileSync(skipReportPath().file, `${JSON.stringify({ name, reason, suite })}\n`);
  return false;
}
