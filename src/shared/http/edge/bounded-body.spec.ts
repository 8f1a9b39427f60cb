import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { INFLIGHT_BODY_BYTES, readBoundedBody } from './bounded-body.js';
import { jsonNestsDeeper } from './json-depth.js';

/** A request stream as Node's parser hands it over: headers, then the body's bytes. */
function requestOf(headers: Record<string, string>, body?: Buffer): IncomingMessage & PassThrough {
  const req = Object.assign(new PassThrough(), { headers, complete: false }) as unknown as IncomingMessage & PassThrough;
  if (body) {
    req.end(body);
    req.on('end', () => ((req as { complete: boolean }).complete = true));
  }
  return req;
}

describe('readBoundedBody: a body bounded after decompression', () => {
  it('reads a plain body and inflates a gzip one', async () => {
    await expect(readBoundedBody(requestOf({}, Buffer.from('{"a":1}')), 100)).resolves.toEqual(Buffer.from('{"a":1}'));
    await expect(readBoundedBody(requestOf({ 'content-encoding': 'gzip' }, gzipSync('{"a":1}')), 100)).resolves.toEqual(Buffer.from('{"a":1}'));
  });

  it('refuses with 413 a small gzip body that inflates past the limit', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(20_000);
    await expect(readBoundedBody(requestOf({ 'content-encoding': 'gzip' }, bomb), 1024 * 1024)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a declared Content-Length over the limit without reading, and an unknown encoding with 415', async () => {
    await expect(readBoundedBody(requestOf({ 'content-length': '101' }), 100)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(readBoundedBody(requestOf({ 'content-encoding': 'br' }, Buffer.from('x')), 100)).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    await expect(readBoundedBody(requestOf({ 'content-encoding': 'gzip' }, Buffer.from('not gzip')), 100)).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('shares one in-flight budget: a read past it gets 503, and an aborted upload gives its bytes back', async () => {
    const half = Buffer.alloc(INFLIGHT_BODY_BYTES / 2 + 1);
    const first = requestOf({});
    const firstRead = readBoundedBody(first, INFLIGHT_BODY_BYTES);
    first.write(half);
    const second = requestOf({});
    const secondRead = readBoundedBody(second, INFLIGHT_BODY_BYTES);
    second.write(half);
    await expect(secondRead).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', details: { retry_after_seconds: 1 } });
    first.destroy(); // the client went away mid-upload
    first.emit('close');
    await expect(firstRead).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    await expect(readBoundedBody(requestOf({}, half), INFLIGHT_BODY_BYTES)).resolves.toHaveLength(half.length);
  });
});

describe('jsonNestsDeeper: nesting found before parsing', () => {
  it.each([
    ['arrays past the bound', `${'['.repeat(6)}${']'.repeat(6)}`, true],
    ['objects past the bound', '{"a":{"b":{"c":{"d":{"e":{"f":1}}}}}}', true],
    ['brackets inside strings', `["${'['.repeat(50)}", "\\"[[[[[[[["]`, false],
    ['siblings, not nesting', '[[1],[2],[3],[4],[5],[6],[7]]', false],
  ])('%s', (_what, text, deeper) => {
    expect(jsonNestsDeeper(Buffer.from(text), undefined, 5)).toBe(deeper);
  });
});
