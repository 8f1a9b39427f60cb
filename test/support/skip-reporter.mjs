// Prints, once at the end of a run, every optional resource that was missing and what it skipped
// (test/support/optional-resource.ts notes them): `skipped <resource>: <reason> (<suites>)`.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureRunId, skipReportPath } from './skip-report.mjs';

export default class SkipReporter {
  constructor() {
    ensureRunId();
  }

  onRunComplete() {
    const { file } = skipReportPath();
    if (!existsSync(file)) return;
    const byResource = new Map();
    for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
      const { name, reason, suite } = JSON.parse(line);
      const seen = byResource.get(name) ?? { reason, suites: new Set() };
      if (suite) seen.suites.add(suite);
      byResource.set(name, seen);
    }
    rmSync(file, { force: true });
    const lines = [...byResource].map(([name, { reason, suites }]) => `skipped ${name}: ${reason} (${[...suites].sort().join(', ') || 'no suite'})`);
    process.stderr.write(`\nOptional resources missing (set MODELMORA_REQUIRE_<NAME>=1 to make that a failure):\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
  }
}
