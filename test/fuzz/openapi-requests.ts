import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  example?: unknown;
  default?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
}

export interface FuzzRequest {
  operation: string;
  method: string;
  /** Already percent-encoded, as a client would put it on the wire (or a hostile raw form). */
  url: string;
  /** A raw body text (malformed on purpose) or a JSON value to serialise. */
  body?: { raw: string } | { json: unknown };
}

/** Values the server knows (registered model ids, job ids), so requests reach past "not found". */
export interface KnownValues {
  modelIds: string[];
  jobIds: string[];
  /** Known models a DELETE never picks, so inference keeps a live model to reach. */
  keepModelIds: string[];
}

const nest = (levels: number, leaf: unknown = 0): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

// The hostile strings the issue names, and their cousins.
const HOSTILE_STRINGS = [
  '', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udc00', '\udbff\udfff', '😀', 'é', '../../etc/passwd', '..', '.', '/', 'a/b/c',
  '%00', '%', 'null', 'true', '-1', '0', '1e300', 'NaN', 'Infinity', '0x10', ' 1', 'x'.repeat(300), 'y'.repeat(70_000),
  'file:///etc/passwd', 'file:///nonexistent/model.onnx', 'http://127.0.0.1:1/model.onnx', `sha256:${'0'.repeat(64)}`, `sha256:${'A'.repeat(64)}`,
];
const HOSTILE_NUMBERS = [0, -1, 1, 2, 0.5, -0.5, 1e300, -1e300, 2 ** 31, 2 ** 53, 2 ** 63, Number.MAX_SAFE_INTEGER + 2, 5e-324, 200, 201, 1000, 1001];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  // Any UTF-16 code unit, lone surrogates included.
  { weight: 2, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }) },
  { weight: 3, arbitrary: hostileString },
);
const anyNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...HOSTILE_NUMBERS));
/** A wrong type for whatever the schema wanted. */
const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(nest(40), nest(2000), { a: nest(100) }, null, [], {}, [null], { __proto__: { polluted: true } }) },
);

/** Percent-encodes what a client would; a lone surrogate (not encodable) goes out as its raw UTF-8 escape. */
export function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    const lone = (ch: string) => ch.length === 1 && ch >= '\ud800' && ch <= '\udfff';
    const hex = (n: number) => (0x80 | n).toString(16).toUpperCase();
    return [...s].map((ch) => (lone(ch) ? `%ED%${hex((ch.charCodeAt(0) >> 6) & 0x3f)}%${hex(ch.charCodeAt(0) & 0x3f)}` : encodeURIComponent(ch))).join('');
  }
}

export class RequestArbitraries {
  constructor(
    private readonly doc: OpenApiDoc,
    private readonly known: KnownValues,
  ) {}

  /** Every operation of the document, as [name, arbitrary of requests]. */
  operations(): [string, fc.Arbitrary<FuzzRequest>][] {
    const out: [string, fc.Arbitrary<FuzzRequest>][] = [];
    for (const [path, ops] of Object.entries(this.doc.paths)) {
      for (const [method, op] of Object.entries(ops)) out.push([`${method.toUpperCase()} ${path}`, this.request(method.toUpperCase(), path, op)]);
    }
    return out;
  }

  private request(method: string, path: string, op: Operation): fc.Arbitrary<FuzzRequest> {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const queryParams = params.filter((p) => p.in === 'query');
    const bodySchema = op.requestBody?.content?.['application/json']?.schema;
    return fc
      .record({
        path: fc.tuple(...pathParams.map((p) => this.pathValue(p.name, method === 'DELETE'))),
        query: fc.tuple(...queryParams.map((p) => fc.option(this.queryValue(p.schema ?? {}), { freq: 2 }))),
        extraQuery: fc.option(fc.tuple(anyString, anyString), { freq: 8 }),
        body: bodySchema ? this.body(bodySchema) : method === 'GET' ? fc.constant(null) : fc.option(this.body({}), { freq: 10 }),
      })
      .map(({ path: values, query, extraQuery, body }) => {
        let url = path;
        pathParams.forEach((p, i) => (url = url.replace(`{${p.name}}`, values[i]!)));
        const qs: string[] = [];
        queryParams.forEach((p, i) => {
          const v = query[i];
          if (v === null || v === undefined) return;
          for (const one of Array.isArray(v) ? v : [v]) qs.push(`${p.name}=${one}`);
        });
        if (extraQuery) qs.push(`${encodeSegment(extraQuery[0])}=${encodeSegment(extraQuery[1])}`);
        return { operation: `${method} ${path}`, method, url: qs.length ? `${url}?${qs.join('&')}` : url, body: body ?? undefined };
      });
  }

  private pathValue(name: string, deleting: boolean): fc.Arbitrary<string> {
    const models = deleting ? this.known.modelIds.filter((id) => !this.known.keepModelIds.includes(id)) : this.known.modelIds;
    const known = name === 'model_id' ? models : name === 'job_id' ? this.known.jobIds : [];
    return fc.oneof(
      { weight: known.length ? 5 : 0, arbitrary: known.length ? fc.constantFrom(...known).map(encodeSegment) : fc.constant('x') },
      { weight: 2, arbitrary: fc.uuid().map(encodeSegment) },
      { weight: 4, arbitrary: anyString.filter((s) => s.length > 0).map(encodeSegment) },
      // Raw forms a client could send: bad escapes, an encoded NUL or lone surrogate, dot segments.
      { weight: 2, arbitrary: fc.constantFrom('a%2Fb%00', '%ED%A0%80', '%zz', '%', 'a%2F..', '..%2F..', '%2F', 'a%252Fb', 'a%2Fb%2Fc') },
    );
  }

  /** One encoded value, or several (a repeated parameter). */
  private queryValue(schema: Schema): fc.Arbitrary<string | string[]> {
    const one = this.scalar(this.resolve(schema)).map((v) => encodeSegment(typeof v === 'string' ? v : JSON.stringify(v) ?? ''));
    return fc.oneof({ weight: 6, arbitrary: one }, { weight: 1, arbitrary: fc.array(one, { minLength: 2, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constantFrom('%00', '%ED%A0%80', '%zz') });
  }

  private body(schema: Schema): fc.Arbitrary<{ raw: string } | { json: unknown }> {
    const resolved = this.resolve(schema);
    return fc.oneof(
      // Half the bodies are well-formed, to reach the handlers; half carry hostile values.
      { weight: 6, arbitrary: this.value(resolved, 0, true).map((json) => ({ json })) },
      { weight: 6, arbitrary: this.value(resolved, 0, false).map((json) => ({ json })) },
      { weight: 1, arbitrary: anyJson.map((json) => ({ json })) },
      // Malformed or unrepresentable JSON text.
      { weight: 1, arbitrary: fc.constantFrom('{', '{"a":}', '{"inputs":1e999}', `{"config":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`, '"\\ud800"', '{"a":"\\u0000"}', 'null', '[]', '\u00ff\u00fe').map((raw) => ({ raw })) },
    );
  }

  private value(schema: Schema, depth: number, sane: boolean): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    if (s.type === 'object' && s.properties && depth < 3) {
      const entries = Object.entries(s.properties);
      const required = new Set(s.required ?? []);
      const record = fc.tuple(
        ...entries.map(([name, prop]) => fc.option(this.named(name, sane) ?? this.value(prop, depth + 1, sane), { freq: required.has(name) ? (sane ? 1000 : 12) : 2, nil: undefined })),
        sane ? fc.constant(null) : fc.option(fc.tuple(anyString, anyJson), { freq: 10 }),
      );
      return fc.oneof(
        { weight: 14, arbitrary: record.map((values) => {
          const o: Record<string, unknown> = {};
          entries.forEach(([name], i) => values[i] !== undefined && (o[name] = values[i]));
          const extra = values[entries.length] as [string, unknown] | null;
          if (extra) o[extra[0]] = extra[1];
          return o;
        }) },
        { weight: sane ? 0 : 1, arbitrary: anyJson },
      );
    }
    if (s.type === 'object' && sane) return fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    if (s.type === 'object') return fc.oneof({ weight: 3, arbitrary: fc.dictionary(anyString, anyJson, { maxKeys: 4 }) }, { weight: 1, arbitrary: anyJson }, { weight: 1, arbitrary: this.tensorInputs() });
    return sane ? this.saneScalar(s) : this.scalar(s);
  }

  /** Fields whose valid values a schema cannot describe: mostly valid, so requests get past validation. */
  private named(name: string, sane: boolean): fc.Arbitrary<unknown> | undefined {
    const segment = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/).filter((x) => x !== '.' && x !== '..');
    const valid: Record<string, fc.Arbitrary<unknown>> = {
      model_id: fc.oneof(fc.constantFrom(...this.known.modelIds), fc.tuple(segment, segment).map(([a, b]) => `${a}/${b}`)),
      version: fc.oneof(fc.constantFrom('main', 'v1', 'v2.0.1'), segment),
      checksum: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`),
      inputs: this.matmulInputs(),
      request_id: fc.oneof(fc.uuid(), fc.constantFrom('fuzz-request')),
      timeout_ms: fc.integer({ min: 1, max: 5_000 }),
      source_url: fc.constantFrom('file:///nonexistent/model.onnx', 'file:///etc/passwd', 'http://127.0.0.1:1/model.onnx'),
    };
    const arb = valid[name];
    return arb && (sane ? arb : fc.oneof({ weight: 3, arbitrary: arb }, { weight: 2, arbitrary: this.scalar({}) }));
  }

  /** Valid inputs for the tiny MatMul model (`x[N, 4]`), sometimes with a wrong shape or type. */
  private matmulInputs(): fc.Arbitrary<unknown> {
    return fc.integer({ min: 0, max: 3 }).chain((n) =>
      fc.record({
        dims: fc.oneof(fc.constant([n, 4]), fc.constant([n, 3]), fc.constant([4 * n])),
        type: fc.constantFrom('float32', undefined, 'int64'),
        data: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), { minLength: 4 * n, maxLength: 4 * n }),
      }, { requiredKeys: ['dims', 'data'] }).map((x) => ({ x })),
    );
  }

  /** A value of the schema's type within ordinary bounds. */
  private saneScalar(s: Schema): fc.Arbitrary<unknown> {
    if (s.enum?.length) return fc.constantFrom(...s.enum);
    if (s.type === 'number' || s.type === 'integer') return fc.integer({ min: 1, max: 64 });
    if (s.type === 'boolean') return fc.boolean();
    return fc.string({ minLength: 1, maxLength: 40 });
  }

  private scalar(s: Schema): fc.Arbitrary<unknown> {
    const typed = s.type === 'number' || s.type === 'integer' ? anyNumber : s.type === 'boolean' ? fc.boolean() : anyString;
    const valid = [...(s.enum ?? []), ...(s.example !== undefined ? [s.example] : []), ...(s.default !== undefined ? [s.default] : [])];
    return fc.oneof(
      { weight: valid.length ? 4 : 0, arbitrary: valid.length ? fc.constantFrom(...valid) : fc.constant(null) },
      { weight: 4, arbitrary: typed },
      { weight: 1, arbitrary: anyJson },
    );
  }

  /** Plausible tensor inputs with hostile corners: strings in data, huge dims, lone surrogates in names. */
  private tensorInputs(): fc.Arbitrary<unknown> {
    const tensor = fc.record({
      dims: fc.array(fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom(-1, 1e9, 2 ** 53, 0.5)), { maxLength: 3 }),
      type: fc.constantFrom('float32', 'int64', 'float64', 'string', 'bogus', undefined),
      data: fc.array(fc.oneof(anyNumber, anyString), { maxLength: 8 }),
    }, { requiredKeys: ['dims', 'data'] });
    return fc.dictionary(fc.oneof(fc.constantFrom('x', 'input', 'a'), anyString), tensor, { minKeys: 1, maxKeys: 2 });
  }

  private resolve(schema: Schema): Schema {
    if (!schema.$ref) return schema;
    return this.doc.components?.schemas?.[schema.$ref.split('/').pop()!] ?? {};
  }
}
