/** One line of the report: ModelMora's figure beside the baseline measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline_name: string;
  baseline_value: number;
  /** value / baseline_value, whatever the direction; `higher_is_better` says how to read it. */
  ratio: number;
  higher_is_better: boolean;
  /** Free text for the table (configuration, what was skipped). Not part of the JSON contract's required keys. */
  note?: string;
  /** The goal this figure is held to (issue 9/10 targets), and whether this run met it. */
  target?: string;
  target_met?: boolean;
  /** A secondary figure: in the console table and the JSON, left out of the README table. */
  detail?: boolean;
}

export const detail = (r: BenchResult): BenchResult => ({ ...r, detail: true });

export type Target =
  | { ratioAtLeast: number }
  | { ratioAtMost: number }
  /** value − baseline ≤ n (in the result's unit). */
  | { overheadAtMost: number }
  | { valueAtMost: number };

/** Attaches a target to a result and judges it on this run's figures. */
export function withTarget(r: BenchResult, t: Target): BenchResult {
  if ('ratioAtLeast' in t) return { ...r, target: `≥ ${t.ratioAtLeast}×`, target_met: r.ratio >= t.ratioAtLeast };
  if ('ratioAtMost' in t) return { ...r, target: `≤ ${t.ratioAtMost}×`, target_met: r.ratio <= t.ratioAtMost };
  if ('overheadAtMost' in t) {
    return { ...r, target: `≤ +${t.overheadAtMost} ${r.unit} over baseline`, target_met: r.value - r.baseline_value <= t.overheadAtMost };
  }
  return { ...r, target: `≤ ${t.valueAtMost} ${r.unit}`, target_met: r.value <= t.valueAtMost };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of one round's samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function result(
  name: string,
  unit: string,
  higherIsBetter: boolean,
  ours: number,
  baseline: { name: string; value: number },
  note?: string,
): BenchResult {
  const ratio = baseline.value === 0 ? Number.NaN : ours / baseline.value;
  return {
    name,
    value: round(ours),
    unit,
    baseline_name: baseline.name,
    baseline_value: round(baseline.value),
    ratio: round(ratio, 3),
    higher_is_better: higherIsBetter,
    ...(note ? { note } : {}),
  };
}

function round(v: number, digits = 3): number {
  if (!Number.isFinite(v)) return v;
  const scale = Math.abs(v) >= 100 ? 10 : 10 ** digits;
  return Math.round(v * scale) / scale;
}

/** Per-round samples → the median of the per-round figure, for throughput and percentiles alike. */
export interface RoundStats {
  throughput: number;
  p50: number;
  p99: number;
}

export function summarise(rounds: readonly RoundStats[]): RoundStats {
  return {
    throughput: median(rounds.map((r) => r.throughput)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
  };
}

/** Runs `total` calls of `call`, at most `concurrency` in flight; per-call latency (ms) and calls/s. */
export async function closedLoop(total: number, concurrency: number, call: (i: number) => Promise<unknown>): Promise<RoundStats & { latencies: number[] }> {
  const latencies = new Array<number>(total);
  let next = 0;
  const started = performance.now();
  const lane = async () => {
    for (let i = next++; i < total; i = next++) {
      const t0 = performance.now();
      await call(i);
      latencies[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  const seconds = (performance.now() - started) / 1000;
  return { throughput: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), latencies };
}
