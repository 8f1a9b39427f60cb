import { describe, expect, it } from '@jest/globals';
import { requestBody } from './commands/infer.command.js';
import { sourceUrl } from './commands/models.command.js';
import { progressLine } from './progress-bar.js';
import { formatDuration, table } from './render.js';

describe('CLI output and input shaping', () => {
  it('aligns a table under upper-case headers, with - for empty cells', () => {
    expect(table(['model', 'pid'], [['acme/a', 12], ['b', null]])).toBe('MODEL   PID\nacme/a  12\nb       -');
  });

  it('draws a progress line with percent, bytes, rate and ETA', () => {
    const line = progressLine({ url: 'http://h/m/model.onnx', bytes: 512 * 1024, total: 2048 * 1024, rate_bytes_per_second: 256 * 1024, eta_seconds: 6, done: false });
    expect(line).toBe(`pulling model.onnx [${'#'.repeat(7)}${'.'.repeat(21)}]  25%  512.0 KiB / 2.0 MiB  256.0 KiB/s  ETA 6s`);
  });

  it('formats durations the way `ollama ps` readers expect', () => {
    expect([formatDuration(5), formatDuration(107), formatDuration(7260), formatDuration(null)]).toEqual(['5s', '1m47s', '2h01m', '-']);
  });

  it('takes a whole body, bare inputs, or plain text as the inference request', () => {
    expect(requestBody('{"inputs": {"x": 1}, "priority": "low"}', {})).toEqual({ inputs: { x: 1 }, priority: 'low' });
    expect(requestBody('{"x": {"dims": [1], "data": [2]}}', { priority: 'high' })).toEqual({ inputs: { x: { dims: [1], data: [2] } }, priority: 'high' });
    expect(requestBody('hello world\n', { timeoutMs: '500' })).toEqual({ inputs: 'hello world', timeout_ms: 500 });
  });

  it('turns a local path into a file:// URL and leaves URLs alone', () => {
    expect(sourceUrl('/models/m.onnx')).toBe('file:///models/m.onnx');
    expect(sourceUrl('https://h/m.onnx')).toBe('https://h/m.onnx');
  });
});
