/**
 * What PostgreSQL and JSON can carry, checked in one pass without copying: no NUL, no lone
 * surrogate, no non-finite number (`1e999` would be stored as null), bounded nesting.
 */
export const WIRE_LIMITS = {
  /** Arrays/objects inside one request value; tensors nest a few levels, configs a few more. */
  maxDepth: 32,
} as const;

export interface WireFault {
  /** Where, e.g. `config.layers[3].name` (keys are shown escaped). */
  path: string;
  problem: string;
}

/** The first thing in `value` that cannot travel through JSON and PostgreSQL, or undefined. */
export function findWireFault(value: unknown, path = '', maxDepth: number = WIRE_LIMITS.maxDepth): WireFault | undefined {
  return scan(value, path, 0, maxDepth);
}

// ES2024, in Node ≥ 20; the project's `lib` is older.
type WellFormedString = string & { isWellFormed(): boolean };

function stringFault(s: string): string | undefined {
  if (s.includes('\0')) return 'contains a NUL character';
  if (!(s as WellFormedString).isWellFormed()) return 'contains a lone UTF-16 surrogate';
  return undefined;
}

function scan(value: unknown, path: string, depth: number, maxDepth: number): WireFault | undefined {
  switch (typeof value) {
    case 'string': {
      const problem = stringFault(value);
      return problem ? { path, problem } : undefined;
    }
    case 'number':
      return Number.isFinite(value) ? undefined : { path, problem: 'is not a finite number' };
    case 'object': {
      if (value === null || ArrayBuffer.isView(value)) return undefined; // raw bytes (binary tensors) are not text
      if (depth >= maxDepth) return { path, problem: `nests deeper than ${maxDepth} levels` };
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const item = value[i];
          // Tensor data: a flat run of numbers is the common case, checked without building paths.
          if (typeof item === 'number') {
            if (!Number.isFinite(item)) return { path: `${path}[${i}]`, problem: 'is not a finite number' };
            continue;
          }
          const fault = scan(item, `${path}[${i}]`, depth + 1, maxDepth);
          if (fault) return fault;
        }
        return undefined;
      }
      for (const key in value as Record<string, unknown>) {
        if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
        const keyPath = path ? `${path}.${JSON.stringify(key).slice(1, -1)}` : JSON.stringify(key).slice(1, -1);
        const keyProblem = stringFault(key);
        if (keyProblem) return { path: keyPath, problem: `has a key that ${keyProblem}` };
        const fault = scan((value as Record<string, unknown>)[key], keyPath, depth + 1, maxDepth);
        if (fault) return fault;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
