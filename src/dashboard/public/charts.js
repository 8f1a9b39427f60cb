// A tiny line chart on a canvas: a few series over the same time window, no library.
export function drawChart(canvas, series, { windowMs = 5 * 60_000, unit = '' } = {}) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const now = Date.now();
  const values = series.flatMap((s) => s.points.map((p) => p.v)).filter((v) => Number.isFinite(v));
  const max = Math.max(1e-9, ...values) * 1.15;
  const left = 44;
  const bottom = height - 16;
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#7f8b99';
  ctx.strokeStyle = '#24303c';
  for (const f of [0, 0.5, 1]) {
    const y = bottom - f * (bottom - 6);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(width, y);
    ctx.stroke();
    ctx.fillText(format(max * f) + unit, 2, y + 4);
  }
  ctx.fillText(`-${Math.round(windowMs / 60_000)} min`, left, height - 2);
  ctx.fillText('now', width - 24, height - 2);
  series.forEach((s, i) => {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    for (const p of s.points) {
      if (!Number.isFinite(p.v)) continue;
      const x = left + (1 - (now - p.t) / windowMs) * (width - left);
      const y = bottom - (p.v / max) * (bottom - 6);
      if (started) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
      started = true;
    }
    ctx.stroke();
    ctx.fillStyle = s.color;
    const last = s.points.at(-1);
    ctx.fillText(`${s.label} ${last && Number.isFinite(last.v) ? format(last.v) : '–'}${unit}`, left + 6 + i * 110, 12);
  });
}

function format(v) {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
