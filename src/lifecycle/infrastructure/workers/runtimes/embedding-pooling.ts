/**
 * sentence-transformers' recipe: average the token vectors that the attention mask
 * keeps, then scale to unit length.
 */
export function meanPool(
  hidden: ArrayLike<number>,
  mask: readonly number[],
  batch: number,
  seq: number,
  width: number,
): number[][] {
  const pooled: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const sum = new Array<number>(width).fill(0);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      const m = mask[b * seq + t]!;
      if (m === 0) continue;
      count += m;
      const base = (b * seq + t) * width;
      for (let h = 0; h < width; h++) sum[h] += hidden[base + h]! * m;
    }
    // Same clamp as sentence-transformers (torch.clamp(min=1e-9)).
    const denom = Math.max(count, 1e-9);
    pooled.push(sum.map((v) => v / denom));
  }
  return pooled;
}

export function l2Normalise(vector: readonly number[]): number[] {
  const norm = Math.sqrt(vector.reduce((s, v) => s + v * v, 0));
  // Same epsilon as torch.nn.functional.normalize.
  const denom = Math.max(norm, 1e-12);
  return vector.map((v) => v / denom);
}
