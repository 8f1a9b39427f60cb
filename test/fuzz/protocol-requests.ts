import fc from 'fast-check';
import { deflateSync, gzipSync } from 'node:zlib';

/** One generated request on a protocol surface: the body is sent exactly as these bytes. */
export interface ProtocolRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What it was, for a failure message (the body is not printed whole). */
  label: string;
}

const DATATYPES = ['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES', 'BF16', 'fp32', '', 'FLOAT'];
const hostileString = fc.oneof(
  fc.string(),
  fc.constantFrom('', '\u0000', '\ud800', 'a\u001b[2Jb', '../../etc/passwd', '%2e%2e%2f', 'x'.repeat(5000), '\u202e', '𝓍'),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, 4294967297, -0, 1e308));
/** A JSON number literal, including the ones JSON.parse turns into Infinity. */
const numberLiteral = fc.oneof(hostileNumber.map((n) => (Number.isFinite(n) ? String(n) : '0')), fc.constantFrom('1e400', '-1e400', '1E999', '0.0000001'));

const shape = fc.oneof(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 }), fc.array(hostileNumber, { maxLength: 5 }), fc.constant([1, 4]), fc.constant([2, 4]), fc.constant([0, 4294967297]));

function nestedData(depth: number, leaf: string): string {
  return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
}

/** An OIP input tensor, usually almost right: the name, shape, type and data each mutate. */
const oipInput = fc.record({
  name: fc.oneof({ weight: 5, arbitrary: fc.constant('x') }, { weight: 1, arbitrary: hostileString }),
  shape: fc.oneof({ weight: 3, arbitrary: fc.constant([1, 4]) }, { weight: 2, arbitrary: shape }),
  datatype: fc.oneof({ weight: 4, arbitrary: fc.constant('FP32') }, { weight: 2, arbitrary: fc.constantFrom(...DATATYPES) }),
  data: fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }), { minLength: 4, maxLength: 4 }).map((xs) => JSON.stringify(xs)) },
    { weight: 4, arbitrary: fc.array(numberLiteral, { minLength: 0, maxLength: 12 }).map((xs) => `[${xs.join(',')}]`) },
    { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 4 }).map((xs) => JSON.stringify(xs)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map((d) => nestedData(d, '1')) },
    { weight: 1, arbitrary: fc.constantFrom('null', '{}', '"abc"', '[[1,2],[3,4]]', '[true,false,true,false]') },
  ),
  parameters: fc.option(fc.record({ binary_data_size: fc.oneof(hostileNumber, fc.constant(16)) }, { requiredKeys: [] }), { nil: undefined }),
}).map((i) => `{"name":${JSON.stringify(i.name)},"shape":${JSON.stringify(i.shape)},"datatype":${JSON.stringify(i.datatype)},"data":${i.data}${i.parameters ? `,"parameters":${JSON.stringify(i.parameters)}` : ''}}`);

const oipOutputs = fc.option(
  fc.array(fc.record({ name: fc.oneof(fc.constant('y'), hostileString), parameters: fc.option(fc.record({ binary_data: fc.oneof(fc.boolean(), hostileNumber) }), { nil: undefined }) }), { maxLength: 6 }),
  { nil: undefined },
);

const oipParameters = fc.option(fc.record({ priority: fc.oneof(hostileNumber, hostileString), timeout: fc.oneof(hostileNumber, hostileString), binary_data_output: fc.boolean() }, { requiredKeys: [] }), { nil: undefined });

/** An OIP inference request as JSON text, usually well-formed enough to get past the first check. */
const oipJson = fc.record({ id: fc.option(hostileString, { nil: undefined }), inputs: fc.array(oipInput, { minLength: 0, maxLength: 3 }), outputs: oipOutputs, parameters: oipParameters }).map(
  (r) => `{${r.id === undefined ? '' : `"id":${JSON.stringify(r.id)},`}"inputs":[${r.inputs.join(',')}]${r.outputs ? `,"outputs":${JSON.stringify(r.outputs)}` : ''}${r.parameters ? `,"parameters":${JSON.stringify(r.parameters)}` : ''}}`,
);

/** The binary extension: a JSON header naming binary_data_size, then raw bytes; the declared length is sometimes wrong. */
const oipBinary = fc.record({
  rows: fc.integer({ min: 0, max: 3 }),
  declared: fc.oneof(fc.constant(undefined), hostileNumber, fc.constant(16)),
  extra: fc.uint8Array({ maxLength: 64 }),
  lengthSkew: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -20, max: 20 }) }),
  type: fc.oneof({ weight: 4, arbitrary: fc.constant('FP32') }, { weight: 1, arbitrary: fc.constantFrom(...DATATYPES) }),
}).map(({ rows, declared, extra, lengthSkew, type }) => {
  const bytes = Buffer.alloc(rows * 16, 0x3f);
  const header = Buffer.from(JSON.stringify({ inputs: [{ name: 'x', shape: [rows, 4], datatype: type, parameters: { binary_data_size: declared ?? bytes.length } }], outputs: [{ name: 'y', parameters: { binary_data: true } }] }));
  return { body: Buffer.concat([header, bytes, Buffer.from(extra)]), headerLength: String(header.length + lengthSkew) };
});

/** Every UTF-8 byte percent-encoded (encodeURIComponent throws on a lone surrogate). */
const percentEncoded = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

const modelSegment = (models: string[]) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...models.map((m) => m.replace('/', '~')), ...models.map(encodeURIComponent)) },
    { weight: 1, arbitrary: hostileString.map((s) => percentEncoded(s) || '%00') },
    { weight: 1, arbitrary: fc.constantFrom('a%00b', '..%2F..', '%E0%A4%A', 'nope', models[0]!) },
  );

type Encoding = 'identity' | 'gzip' | 'deflate' | 'br' | 'garbage-gzip';
const encoding = fc.oneof({ weight: 6, arbitrary: fc.constant<Encoding>('identity') }, { weight: 3, arbitrary: fc.constantFrom<Encoding>('gzip', 'deflate') }, { weight: 1, arbitrary: fc.constantFrom<Encoding>('br', 'garbage-gzip') });

function encoded(body: Buffer, how: Encoding): { body: Buffer; headers: Record<string, string> } {
  if (how === 'identity') return { body, headers: {} };
  if (how === 'gzip') return { body: gzipSync(body), headers: { 'content-encoding': 'gzip' } };
  if (how === 'deflate') return { body: deflateSync(body), headers: { 'content-encoding': 'deflate' } };
  if (how === 'br') return { body, headers: { 'content-encoding': 'br' } };
  return { body: Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), body]), headers: { 'content-encoding': 'gzip' } };
}

const contentType = (usual: string | undefined) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(usual) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, 'application/json', 'application/octet-stream', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'image/png') },
  );

const withType = (headers: Record<string, string>, type: string | undefined) => (type === undefined ? headers : { ...headers, 'content-type': type });

/** Requests on /v2: JSON, binary and compressed inference bodies, and the metadata/ready/server routes. */
export function oipRequests(models: string[]): fc.Arbitrary<ProtocolRequest> {
  const target = fc.tuple(modelSegment(models), fc.option(fc.constantFrom('1', 'main', 'v1', '%00', '99999999999999999999'), { nil: undefined }));
  const modelPath = ([m, v]: [string, string | undefined], suffix: string) => `/v2/models/${m}${v === undefined ? '' : `/versions/${v}`}${suffix}`;
  const inferJson = fc.tuple(target, oipJson, encoding, contentType(undefined)).map(([t, json, how, type]): ProtocolRequest => {
    const { body, headers } = encoded(Buffer.from(json), how);
    return { method: 'POST', path: modelPath(t, '/infer'), headers: withType(headers, type), body, label: `json ${how} ${type ?? '(no type)'} ${json.slice(0, 200)}` };
  });
  const inferBinary = fc.tuple(target, oipBinary, encoding, contentType('application/octet-stream')).map(([t, b, how, type]): ProtocolRequest => {
    const { body, headers } = encoded(b.body, how);
    return { method: 'POST', path: modelPath(t, '/infer'), headers: withType({ ...headers, 'inference-header-content-length': b.headerLength }, type), body, label: `binary ${how} ${type} header ${b.headerLength}` };
  });
  const randomJson = fc.tuple(target, fc.jsonValue({ maxDepth: 4 }), encoding).map(([t, v, how]): ProtocolRequest => {
    const { body, headers } = encoded(Buffer.from(JSON.stringify(v) ?? 'null'), how);
    return { method: 'POST', path: modelPath(t, '/infer'), headers: withType(headers, 'application/json'), body, label: `random json ${how}` };
  });
  const garbage = fc.tuple(target, fc.uint8Array({ maxLength: 256 }), encoding).map(([t, bytes, how]): ProtocolRequest => {
    const { body, headers } = encoded(Buffer.from(bytes), how);
    return { method: 'POST', path: modelPath(t, '/infer'), headers, body, label: `garbage ${how}` };
  });
  const reads = fc.tuple(target, fc.constantFrom('', '/ready', '/infer', '/stats', '/config')).map(([t, suffix]): ProtocolRequest => ({ method: 'GET', path: modelPath(t, suffix), headers: {}, label: 'read' }));
  const server = fc.constantFrom('/v2', '/v2/health/live', '/v2/health/ready', '/v2/repository/index', '/v2/models', '/v2/models/', '/v2/systemsharedmemory/status').chain((path) =>
    fc.constantFrom('GET', 'POST', 'DELETE', 'PUT').map((method): ProtocolRequest => ({ method, path, headers: method === 'GET' ? {} : { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : Buffer.from('{}'), label: 'server route' })),
  );
  return fc.oneof({ weight: 8, arbitrary: inferJson }, { weight: 3, arbitrary: inferBinary }, { weight: 2, arbitrary: randomJson }, { weight: 1, arbitrary: garbage }, { weight: 2, arbitrary: reads }, { weight: 1, arbitrary: server });
}

/** Requests on /v1: embeddings bodies (JSON, compressed, mutated), the model list and unknown routes. */
export function openAiRequests(models: string[]): fc.Arbitrary<ProtocolRequest> {
  const input = fc.oneof(
    { weight: 4, arbitrary: fc.oneof(hostileString, fc.array(hostileString, { minLength: 0, maxLength: 5 })).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.array(fc.array(fc.integer(), { maxLength: 5 }), { maxLength: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3000 }).map((d) => nestedData(d, '"a"')) },
    { weight: 1, arbitrary: fc.constantFrom('null', '1e400', '{}', '[]', '"\\ud800"') },
  );
  const body = fc.record({
    model: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...models) }, { weight: 1, arbitrary: hostileString }),
    input,
    encoding_format: fc.option(fc.oneof(fc.constantFrom('float', 'base64'), hostileString), { nil: undefined }),
    dimensions: fc.option(fc.oneof(fc.integer({ min: -2, max: 8 }), hostileNumber), { nil: undefined }),
    truncate: fc.option(fc.oneof(fc.boolean(), hostileString), { nil: undefined }),
    user: fc.option(hostileString, { nil: undefined }),
  }).map((r) => `{"model":${JSON.stringify(r.model)},"input":${r.input}${r.encoding_format === undefined ? '' : `,"encoding_format":${JSON.stringify(r.encoding_format)}`}${r.dimensions === undefined ? '' : `,"dimensions":${JSON.stringify(r.dimensions)}`}${r.truncate === undefined ? '' : `,"truncate":${JSON.stringify(r.truncate)}`}${r.user === undefined ? '' : `,"user":${JSON.stringify(r.user)}`}}`);
  const embeddings = fc.tuple(body, encoding, contentType('application/json')).map(([json, how, type]): ProtocolRequest => {
    const e = encoded(Buffer.from(json), how);
    return { method: 'POST', path: '/v1/embeddings', headers: withType(e.headers, type), body: e.body, label: `embeddings ${how} ${type ?? '(no type)'} ${json.slice(0, 200)}` };
  });
  const randomJson = fc.tuple(fc.jsonValue({ maxDepth: 4 }), encoding).map(([v, how]): ProtocolRequest => {
    const e = encoded(Buffer.from(JSON.stringify(v) ?? 'null'), how);
    return { method: 'POST', path: '/v1/embeddings', headers: withType(e.headers, 'application/json'), body: e.body, label: `random json ${how}` };
  });
  const garbage = fc.uint8Array({ maxLength: 256 }).map((bytes): ProtocolRequest => ({ method: 'POST', path: '/v1/embeddings', headers: { 'content-type': 'application/json' }, body: Buffer.from(bytes), label: 'garbage' }));
  const routes = fc.constantFrom('/v1/models', '/v1/embeddings', '/v1/chat/completions', '/v1', '/v1/models/x').chain((path) =>
    fc.constantFrom('GET', 'POST', 'DELETE').map((method): ProtocolRequest => ({ method, path, headers: method === 'GET' ? {} : { 'content-type': 'application/json' }, body: method === 'GET' ? undefined : Buffer.from('{}'), label: 'route' })),
  );
  return fc.oneof({ weight: 8, arbitrary: embeddings }, { weight: 2, arbitrary: randomJson }, { weight: 1, arbitrary: garbage }, { weight: 1, arbitrary: routes });
}
