import type { PoolingMode } from '../../../../shared/domain/serving-config.js';

/** Token embeddings of one ONNX run, row-major `[batch, seq, width]`, with the attention mask `[batch, seq]` (right-padded). */
export interface TokenEmbeddings {
  hidden: ArrayLike<number>;
  mask: ArrayLike<number>;
  batch: number;
  seq: number;
  width: number;
}

// sentence-transformers' Pooling concatenates the modes it is given in this order.
const CONCAT_ORDER: readonly PoolingMode[] = ['cls', 'max', 'mean', 'mean_sqrt_len_tokens', 'weightedmean', 'lasttoken'];

/** Pools each row as sentence-transformers' `Pooling` module does; several modes are concatenated in its order. */
export function poolTokens(modes: readonly PoolingMode[], t: TokenEmbeddings): number[][] {
  const ordered = CONCAT_ORDER.filter((m) => modes.includes(m));
  const rows: number[][] = [];
  for (let b = 0; b < t.batch; b++) rows.push(ordered.flatMap((mode) => poolRow(mode, t, b)));
  return rows;
}

function poolRow(mode: PoolingMode, t: TokenEmbeddings, b: number): number[] {
  const { hidden, mask, seq, width } = t;
  const out = new Array<number>(width).fill(mode === 'max' ? -Infinity : 0);
  const at = (pos: number, h: number) => hidden[(b * seq + pos) * width + h]!;
  let count = 0;
  for (let pos = 0; pos < seq; pos++) if (mask[b * seq + pos]) count++;
  switch (mode) {
    case 'cls':
      for (let h = 0; h < width; h++) out[h] = at(0, h);
      return out;
    case 'lasttoken':
      // Right padding: the last real token sits at count - 1 (sentence-transformers' gather of the mask's end).
      for (let h = 0; h < width; h++) out[h] = at(Math.max(count - 1, 0), h);
      return out;
    case 'max':
      for (let pos = 0; pos < seq; pos++) {
        // Masked positions count as -1e9, as in sentence-transformers, so an all-masked row still gives numbers.
        for (let h = 0; h < width; h++) out[h] = Math.max(out[h]!, mask[b * seq + pos] ? at(pos, h) : -1e9);
      }
      return out;
    default: {
      // mean, mean_sqrt_len_tokens and weightedmean: sums over the masked-in tokens (weights 1 or the position 1..seq).
      let weightSum = 0;
      for (let pos = 0; pos < seq; pos++) {
        if (!mask[b * seq + pos]) continue;
        const w = mode === 'weightedmean' ? pos + 1 : 1;
        weightSum += w;
        for (let h = 0; h < width; h++) out[h] += at(pos, h) * w;
      }
      // Same clamp as sentence-transformers (torch.clamp(min=1e-9)).
      const denom = mode === 'mean_sqrt_len_tokens' ? Math.sqrt(Math.max(count, 1e-9)) : Math.max(weightSum, 1e-9);
      for (let h = 0; h < width; h++) out[h] = out[h]! / denom;
      return out;
    }
  }
}

export function l2Normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  // Same epsilon as torch.nn.functional.normalize.
  const denom = Math.max(norm, 1e-12);
  return vector.map((v) => v / denom);
}
