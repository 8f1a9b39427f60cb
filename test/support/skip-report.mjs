// Where the test workers of one `npm test` run note what they skipped and why: one file per run,
// named by an id the parent process sets before the workers start (they inherit it).
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function ensureRunId() {
  process.env.MODELMORA_TEST_RUN ??= `${process.pid}-${randomUUID().slice(0, 8)}`;
  return process.env.MODELMORA_TEST_RUN;
}

export function skipReportPath() {
  const dir = join(tmpdir(), 'modelmora-test-skips');
  return { dir, file: join(dir, `${process.env.MODELMORA_TEST_RUN ?? `ppid-${process.ppid}`}.jsonl`) };
}
