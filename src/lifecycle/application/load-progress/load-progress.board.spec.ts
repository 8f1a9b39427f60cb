import { describe, expect, it } from '@jest/globals';
import { LoadProgressBoard, type LoadProgress } from './load-progress.board.js';

describe('LoadProgressBoard', () => {
  it('sends the first reading at once, throttles the rest without losing the latest, and forgets a finished file', async () => {
    const board = new LoadProgressBoard();
    const sent: LoadProgress[] = [];
    board.updates$.subscribe((p) => sent.push(p));
    const report = board.reporter('acme/m', 'v1');

    report({ url: 'http://h/model.onnx', bytes: 10, total: 100, done: false });
    report({ url: 'http://h/model.onnx', bytes: 20, total: 100, done: false });
    report({ url: 'http://h/model.onnx', bytes: 30, total: 100, done: false });
    expect(sent.map((p) => p.bytes)).toEqual([10]);
    expect(board.current('acme/m')).toEqual([expect.objectContaining({ bytes: 30, total: 100, done: false })]);

    await new Promise((r) => board.updates$.subscribe(r)); // the throttled latest reading follows
    expect(sent.map((p) => p.bytes)).toEqual([10, 30]);

    report({ url: 'http://h/model.onnx', bytes: 100, total: 100, done: true });
    expect(sent.at(-1)).toMatchObject({ model_id: 'acme/m', version: 'v1', bytes: 100, done: true, eta_seconds: 0 });
    expect(board.current()).toEqual([]);
  });
});
