#!/usr/bin/env node
// Counts the doc comments (`/** … */`) of six lines or more under src/: comments say why in a sentence or two,
// and longer material belongs in docs/. Prints each block and the count; exits 1 above --max (default 10).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const max = Number(args[args.indexOf('--max') + 1] ?? 10);
const LONG = 6;

function* sources(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.(ts|mts|js|mjs)$/.test(entry.name)) yield path;
  }
}

/** The doc blocks of a file of LONG lines or more, as [first line, line count]. */
export function longDocBlocks(text) {
  const blocks = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = m[0].split('\n').length;
    if (lines >= LONG) blocks.push([text.slice(0, m.index).split('\n').length, lines]);
  }
  return blocks;
}

function main() {
  const found = [];
  for (const file of sources(join(root, 'src'))) {
    for (const [line, lines] of longDocBlocks(readFileSync(file, 'utf8'))) found.push(`${relative(root, file)}:${line} (${lines} lines)`);
  }
  for (const f of found) console.log(f);
  console.log(`${found.length} doc comments of ${LONG} lines or more in src (at most ${max})`);
  process.exitCode = found.length > max ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
