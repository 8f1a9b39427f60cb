#!/usr/bin/env node
// Writes the README's first model with nothing downloaded: `c = a · b`, float32 a [3, 4] and
// b [4, 3] (the same graph as libonnx-testdata's test_matmul_2d, which the tests fetch), as
// test/support/tiny-models.ts writes its models. Prints the file's absolute path.
// Usage: node scripts/make-first-model.mjs [folder]   (default .modelmora/first-model)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = 1;
const tensor = (name, dims) => ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });

const dir = resolve(process.argv[2] ?? '.modelmora/first-model');
mkdirSync(dir, { recursive: true });
const model = onnx.ModelProto.create({
  irVersion: 8,
  producerName: 'modelmora-first-model',
  opsetImport: [{ domain: '', version: 13 }],
  graph: {
    name: 'first-matmul',
    node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'] }],
    input: [tensor('a', [3, 4]), tensor('b', [4, 3])],
    output: [tensor('c', [3, 3])],
  },
});
const path = join(dir, 'model.onnx');
writeFileSync(path, onnx.ModelProto.encode(model).finish());
console.log(path);
