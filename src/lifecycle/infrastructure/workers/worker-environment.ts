/**
 * What a worker inherits from the server's environment. A worker parses untrusted ONNX
 * files, so it gets only what a Node process and ONNX Runtime need: never DATABASE_URL,
 * MODELMORA_API_TOKEN, Kafka credentials or anything else the server was given.
 */
const PASSED = ['PATH', 'HOME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'NODE_ENV', 'LD_LIBRARY_PATH', 'SYSTEMROOT', 'SystemRoot'];
/** Thread and runtime tuning read by ONNX Runtime and its OpenMP/BLAS backends. */
const PASSED_PREFIXES = ['ORT_', 'OMP_', 'OPENBLAS_', 'MKL_'];

export function workerEnvironment(parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (PASSED.includes(name) || PASSED_PREFIXES.some((p) => name.startsWith(p))) env[name] = value;
  }
  return env;
}
