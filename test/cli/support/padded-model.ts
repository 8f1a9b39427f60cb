import { writeOnnxModel } from '../../support/tiny-models.js';

/**
 * `y[N, K] = x[N, 4] · W[4, K]` with W all ones: a valid model whose file is as large as a
 * download test needs (4·K floats), so there is something for a progress bar to show.
 */
export function writePaddedMatMulModel(dir: string, k: number): string {
  const dims = (d: number[]) => ({ dim: d.map((v) => (v < 0 ? { dimParam: 'N' } : { dimValue: v })) });
  return writeOnnxModel(dir, {
    name: 'padded-matmul',
    node: [{ opType: 'MatMul', input: ['x', 'W'], output: ['y'] }],
    initializer: [{ name: 'W', dims: [4, k], dataType: 1, rawData: Buffer.from(new Float32Array(4 * k).fill(1).buffer) }],
    input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: dims([-1, 4]) } } }],
    output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: dims([-1, k]) } } }],
  });
}
