import { prepared, type PreparedStatement } from '../database/prepared-statement.js';

/** A prepared statement written with named parameters (`$name`), bound from one object: no caller counts positions. */
export interface NamedStatement<K extends string> {
  readonly prepared: PreparedStatement;
  readonly parameters: readonly K[];
  /** The values in the positions the text was compiled to. */
  bind(values: Readonly<Record<K, unknown>>): unknown[];
}

const NAMED = /\$([a-z_][a-z0-9_]*)/g;

/**
 * Compiles `$name` placeholders to PostgreSQL's `$1…` in the order `parameters` lists them.
 * A name used but not listed, or listed but not used, fails at load time, not on a query.
 */
export function namedStatement<K extends string>(text: string, parameters: readonly K[]): NamedStatement<K> {
  const position = new Map<string, number>(parameters.map((name, i) => [name, i + 1]));
  if (position.size !== parameters.length) throw new Error(`named statement: a parameter is listed twice in ${parameters.join(', ')}`);
  const used = new Set<string>();
  const compiled = text.replace(NAMED, (_, name: string) => {
    const n = position.get(name);
    if (n === undefined) throw new Error(`named statement: $${name} is not among its parameters (${parameters.join(', ')})`);
    used.add(name);
    return `$${n}`;
  });
  const unused = parameters.filter((p) => !used.has(p));
  if (unused.length) throw new Error(`named statement: parameters never used in the text: ${unused.join(', ')}`);
  return {
    prepared: prepared(compiled),
    parameters,
    bind: (values) => parameters.map((name) => values[name]),
  };
}
