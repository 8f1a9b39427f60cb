import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Comments say why in a sentence or two; longer material belongs in docs/ (STYLE.md). */
describe('doc comments in src', () => {
  it('leaves at most ten doc comments of six lines or more', () => {
    const out = execFileSync(process.execPath, ['scripts/count-doc-blocks.mjs', '--max', '10'], { cwd: repo, encoding: 'utf8' });
    const count = Number(out.trim().split('\n').at(-1)!.split(' ')[0]);

    expect(count).toBeLessThanOrEqual(10);
  });

  it('counts a long block and not a short one (the script checks what it claims)', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', `
      import { longDocBlocks } from './scripts/count-doc-blocks.mjs';
      const long = '/**\\n * a\\n * b\\n * c\\n * d\\n */\\nexport const x = 1;';
      const short = '/** one line */\\n/**\\n * two\\n * lines\\n */';
      console.log(JSON.stringify([longDocBlocks(long), longDocBlocks(short)]));`], { cwd: repo, encoding: 'utf8' });

    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual([[[1, 6]], []]);
  });
});
