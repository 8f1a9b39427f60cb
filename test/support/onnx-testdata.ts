/**
 * Real ONNX operator tests from Debian's libonnx-testdata: model.onnx plus reference
 * inputs/outputs as TensorProto files, fetched once into a local cache.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe } from '@jest/globals';
import onnxProto from 'onnx-proto';
import { optionalResource } from './optional-resource.js';
import type { TensorJson, TensorMap, TensorType } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';

const { onnx } = onnxProto;
const run = promisify(execFile);

const DEFAULT_CACHE = fileURLToPath(new URL('../../.cache/libonnx-testdata', import.meta.url));
const DATA_SUBDIR = 'usr/share/libonnx-testdata/data';

/**
 * Whether the ONNX test data is here or can be fetched (Debian's apt-get and dpkg): `describe`
 * for the suites that use it, else `describe.skip` with the reason in the run's summary.
 */
export function describeWithOnnxTestdata(): typeof describe | typeof describe.skip {
  const here = existsSync(join(testdataCacheDir(), DATA_SUBDIR, 'node')) || (onPath('apt-get') && onPath('dpkg'));
  const reason = `no ONNX test data in ${testdataCacheDir()} and no apt-get/dpkg to fetch Debian's libonnx-testdata (set MODELMORA_TESTDATA_DIR to an unpacked copy)`;
  return optionalResource('libonnx-testdata', here, reason) ? describe : describe.skip;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

export function testdataCacheDir(): string {
  return process.env.MODELMORA_TESTDATA_DIR ?? DEFAULT_CACHE;
}

async function downloadDeb(into: string): Promise<string> {
  try {
    await run('apt-get', ['download', 'libonnx-testdata'], { cwd: into });
  } catch {
    // A fresh machine has no package lists yet.
    await run('apt-get', ['update'], { cwd: into });
    await run('apt-get', ['download', 'libonnx-testdata'], { cwd: into });
  }
  const deb = (await readdir(into)).find((f) => f.startsWith('libonnx-testdata') && f.endsWith('.deb'));
  if (!deb) throw new Error(`apt-get download libonnx-testdata left no .deb in ${into}`);
  return join(into, deb);
}

/** Makes the test data available (download + dpkg -x on first use); returns the data root. */
export async function ensureOnnxTestdata(): Promise<string> {
  const cache = testdataCacheDir();
  const root = join(cache, DATA_SUBDIR);
  if (existsSync(join(root, 'node'))) return root;
  await mkdir(dirname(cache), { recursive: true });
  const download = await mkdtemp(join(tmpdir(), 'libonnx-testdata-'));
  const staging = `${cache}.tmp-${process.pid}-${Date.now()}`;
  try {
    const deb = await downloadDeb(download);
    await run('dpkg', ['-x', deb, staging]);
    // Atomic publish: concurrent jest workers may race; the loser just drops its copy.
    await rename(staging, cache).catch((err: unknown) => {
      if (!existsSync(join(root, 'node'))) throw err;
    });
  } finally {
    await rm(download, { recursive: true, force: true });
    await rm(staging, { recursive: true, force: true });
  }
  return root;
}

const TYPE_BY_ONNX: Record<number, RawType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'float64',
};

type LongLike = number | { toNumber(): number };
const toNumber = (v: LongLike): number => (typeof v === 'number' ? v : v.toNumber());

type RawType = Extract<TensorType, 'float32' | 'float64' | 'int32' | 'int64' | 'uint8' | 'int8' | 'bool'>;

function readRaw(raw: Uint8Array, type: RawType): number[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: Record<RawType, [number, (offset: number) => number]> = {
    float32: [4, (o) => view.getFloat32(o, true)],
    float64: [8, (o) => view.getFloat64(o, true)],
    int32: [4, (o) => view.getInt32(o, true)],
    int64: [8, (o) => Number(view.getBigInt64(o, true))],
    uint8: [1, (o) => view.getUint8(o)],
    int8: [1, (o) => view.getInt8(o)],
    bool: [1, (o) => view.getUint8(o)],
  };
  const [size, get] = read[type];
  return Array.from({ length: raw.byteLength / size }, (_, i) => get(i * size));
}

/** Decodes an ONNX TensorProto (raw_data or the typed repeated fields) into the JSON tensor form. */
export function decodeTensorProto(buf: Uint8Array): { name: string; tensor: TensorJson } {
  const t = onnx.TensorProto.decode(buf);
  const type = TYPE_BY_ONNX[t.dataType];
  if (!type) throw new Error(`TensorProto data type ${t.dataType} is not supported by the JSON form`);
  const dims = t.dims.map((d) => toNumber(d as LongLike));
  let data: number[];
  if (t.rawData && t.rawData.length > 0) data = readRaw(t.rawData, type);
  else if (type === 'float32') data = t.floatData;
  else if (type === 'float64') data = t.doubleData;
  else if (type === 'int64') data = t.int64Data.map((v) => toNumber(v as LongLike));
  else data = t.int32Data; // int32, uint8, int8 and bool are all stored as int32_data
  const json: TensorJson = { dims, type, data: type === 'bool' ? data.map((v) => v !== 0) : data };
  return { name: t.name, tensor: json };
}

export interface OnnxTestCase {
  dir: string;
  modelPath: string;
  inputs: TensorMap;
  outputs: TensorMap;
}

/** Graph inputs that are not initializers, in order, and graph outputs. */
export async function modelIo(modelPath: string): Promise<{ inputs: string[]; outputs: string[] }> {
  const model = onnx.ModelProto.decode(await readFile(modelPath));
  const graph = model.graph;
  if (!graph) throw new Error(`${modelPath} has no graph`);
  const initializers = new Set((graph.initializer ?? []).map((i) => i.name ?? ''));
  return {
    inputs: (graph.input ?? []).map((i) => i.name ?? '').filter((n) => !initializers.has(n)),
    outputs: (graph.output ?? []).map((o) => o.name ?? ''),
  };
}

async function readSet(dir: string, prefix: string, names: string[]): Promise<TensorMap> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.pb'));
  const index = (f: string) => Number(f.slice(prefix.length, -3));
  const out: TensorMap = {};
  for (const file of files.sort((a, b) => index(a) - index(b))) {
    const { name, tensor } = decodeTensorProto(await readFile(join(dir, file)));
    out[names[index(file)] ?? name] = tensor;
  }
  return out;
}

/** Loads e.g. `node/test_matmul_2d`: its model path and test_data_set_0 named by the graph's inputs/outputs. */
export async function loadOnnxTestCase(relPath: string): Promise<OnnxTestCase> {
  const dir = join(await ensureOnnxTestdata(), relPath);
  const modelPath = join(dir, 'model.onnx');
  const io = await modelIo(modelPath);
  const set = join(dir, 'test_data_set_0');
  return {
    dir,
    modelPath,
    inputs: await readSet(set, 'input_', io.inputs),
    outputs: await readSet(set, 'output_', io.outputs),
  };
}
