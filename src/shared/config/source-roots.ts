import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** The folders `file://` model sources must lie under: MODELMORA_SOURCE_ROOTS, or the working directory alone. */
export function sourceRoots(configured?: readonly string[]): string[] {
  return (configured && configured.length > 0 ? configured : [process.cwd()]).map((root) => resolve(root));
}

/**
 * The roots with each one's real path beside it, for checks on a path as written (at
 * registration): a source spelled through the real folder of a symlinked root is allowed too.
 */
export function sourceRootsAsWritten(configured?: readonly string[]): string[] {
  const real = (root: string): string[] => {
    try {
      return [realpathSync(root)];
    } catch {
      return [];
    }
  };
  return [...new Set(sourceRoots(configured).flatMap((root) => [root, ...real(root)]))];
}
