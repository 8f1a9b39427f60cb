// Reference sentence embeddings, in a plain Node process (onnxruntime-node's output tensors
// do not pass instanceof checks inside jest's VM realm). stdin: {onnx, cases: [{ids, pooling,
// normalize}]}; stdout: one vector per case. One text per run: no padding to get wrong.
import ort from 'onnxruntime-node';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const { onnx, cases } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const session = await ort.InferenceSession.create(onnx, { executionProviders: ['cpu'], intraOpNumThreads: 1 });
const vectors = [];
for (const { ids, pooling, normalize } of cases) {
  const n = ids.length;
  const out = await session.run({
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(n), [1, n]),
  });
  const hidden = out.last_hidden_state.data;
  const width = hidden.length / n;
  let v = Array.from({ length: width }, (_, h) => {
    if (pooling === 'cls') return hidden[h];
    let sum = 0;
    for (let t = 0; t < n; t++) sum += hidden[t * width + h];
    return sum / n;
  });
  if (normalize) {
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    v = v.map((x) => x / norm);
  }
  vectors.push(v);
}
process.stdout.write(JSON.stringify(vectors));
