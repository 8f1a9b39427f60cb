import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { TensorMap } from '../../src/lifecycle/infrastructure/workers/worker-protocol.js';
import { describeWithOnnxTestdata, ensureOnnxTestdata, loadOnnxTestCase } from '../support/onnx-testdata.js';
import { expectTensorClose, WorkerPool } from './worker-test-helpers.js';

// Real operator tests shipped by Debian (libonnx-testdata), run through a real worker process.
const CASES = [
  'node/test_matmul_2d',
  'node/test_gemm_default_matrix_bias',
  'node/test_gemm_transposeA',
  'pytorch-converted/test_Conv2d',
  'node/test_relu',
  'node/test_softmax_axis_1',
  'node/test_gather_0', // int64 input
  'node/test_argmax_default_axis_example', // int64 output
  'node/test_not_2d', // bool in and out
  'node/test_cast_FLOAT_to_DOUBLE', // float64 output
];

describeWithOnnxTestdata()('ONNX test data through a worker process', () => {
  const pool = new WorkerPool();

  beforeAll(async () => {
    await ensureOnnxTestdata();
  }, 300_000);

  afterAll(() => pool.stopAll());

  it.each(CASES)('%s matches the reference outputs', async (relPath) => {
    const testCase = await loadOnnxTestCase(relPath);
    const worker = await pool.start({ label: relPath });
    const meta = await worker.load({ modelDir: testCase.dir, taskType: 'tensor' });
    expect(meta.inputs.map((i) => i.name)).toEqual(Object.keys(testCase.inputs));

    const reply = await worker.infer([testCase.inputs]);
    const result = reply.results[0]!;
    if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
    const outputs = result.outputs as TensorMap;
    for (const [name, expected] of Object.entries(testCase.outputs)) {
      expect(outputs[name]?.type).toBe(expected.type);
      expectTensorClose(outputs[name], expected, 1e-4);
    }
    await worker.shutdown();
  });

  it('reports input and output metadata after load', async () => {
    const testCase = await loadOnnxTestCase('node/test_matmul_2d');
    const worker = await pool.start();
    const meta = await worker.load({ modelDir: testCase.modelPath, taskType: 'tensor' });
    expect(meta.inputs).toEqual([
      { name: 'a', type: 'float32', dims: [3, 4] },
      { name: 'b', type: 'float32', dims: [4, 3] },
    ]);
    expect(meta.outputs).toEqual([{ name: 'c', type: 'float32', dims: [3, 3] }]);
    expect(meta.model_path).toBe(testCase.modelPath);
    expect(meta.rss_mb).toBeGreaterThan(0);

    const conv = await loadOnnxTestCase('pytorch-converted/test_Conv2d');
    const convWorker = await pool.start();
    const convMeta = await convWorker.load({ modelDir: conv.dir, taskType: 'tensor' });
    expect(convMeta.inputs).toEqual([{ name: '0', type: 'float32', dims: [2, 3, 7, 5] }]);
    expect(convMeta.outputs).toEqual([{ name: '3', type: 'float32', dims: [2, 4, 5, 4] }]);
  });
});
