import { describe, expect, it } from '@jest/globals';
import { requestBody } from './commands/infer.command.js';
import { sourceUrl } from './commands/models.command.js';
import { progressLine } from './progress-bar.js';
import { formatDuration, keyValues, table } from './render.js';
import { safeBlock, safeJson, safeText } from './safe-text.js';

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

  it('shows control characters from the server escaped: C0, DEL, C1 and bidi controls', () => {
    expect(safeText('a\x1b[2Jb\x07\r\n\x7f\x9b31m\u202eevil\u2066')).toBe('a\\x1b[2Jb\\x07\\x0d\\x0a\\x7f\\x9b31m\\u202eevil\\u2066');
    expect(safeBlock('line\x1b]0;t\x07\nnext')).toBe('line\\x1b]0;t\\x07\nnext');
    expect(table(['name'], [['\x1b[31mred']])).toBe('NAME\n\\x1b[31mred');
    expect(keyValues([['k\x1b', { v: '\x9b' }]])).toBe('k\\x1b: {"v":"\\u009b"}');
  });

  it('keeps --json valid and lossless while escaping what JSON.stringify leaves raw', () => {
    const value = { ['\u202e']: 'c1 \x9b del \x7f esc \x1b isolate \u2066 separator \u2028' };
    const text = safeJson(value, 2);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u202a-\u202e\u2066-\u2069]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
