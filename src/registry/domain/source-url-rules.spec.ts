import { describe, expect, it } from '@jest/globals';
import { assertSourceAllowed, assertSourceUrlHasNoCredentials } from './source-url-rules.js';

describe('source_url credentials', () => {
  it.each([
    'https://huggingface.co/org/model/resolve/main/model.onnx',
    'file:///models/tiny.onnx',
    '/models/tiny.onnx',
    'https://host/m.onnx?download=true&revision=main',
    null,
  ])('accepts %s', (url) => {
    expect(() => assertSourceUrlHasNoCredentials(url)).not.toThrow();
  });

  it.each([
    ['user:password@', 'https://bob:hunter2@models.example/m.onnx'],
    ['a user alone', 'http://bob@models.example/m.onnx'],
    ['an S3 signature', 'https://bucket.s3.amazonaws.com/m.onnx?X-Amz-Signature=abc&X-Amz-Credential=hunter2'],
    ['a token', 'https://models.example/m.onnx?token=hunter2'],
  ])('refuses %s with VALIDATION_ERROR, without echoing the secret', (_label, url) => {
    let error: unknown;
    try {
      assertSourceUrlHasNoCredentials(url);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('must not') });
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('source_url inside the allowed roots', () => {
  const roots = ['/srv/models', '/mnt/hf'];

  it.each([
    'file:///srv/models/tiny.onnx',
    '/srv/models/minilm',
    'file:///mnt/hf/org/model/',
    'https://huggingface.co/org/model/resolve/main/model.onnx',
    'http://127.0.0.1:8080/m.onnx',
    null,
  ])('accepts %s', (url) => {
    expect(() => assertSourceAllowed(url, roots)).not.toThrow();
  });

  it.each([
    ['outside every root', 'file:///etc/passwd'],
    ['a bare path outside', '/etc/passwd'],
    ['dot segments leading out', '/srv/models/../../etc/passwd'],
    ['a sibling sharing the prefix', '/srv/models-private/m.onnx'],
  ])('refuses a local source %s with SOURCE_NOT_ALLOWED, in the words used at load', (_label, url) => {
    expect(() => assertSourceAllowed(url, roots)).toThrow(expect.objectContaining({
      code: 'SOURCE_NOT_ALLOWED',
      message: expect.stringMatching(/ is not allowed or not found \(local sources must lie under MODELMORA_SOURCE_ROOTS\)$/),
    }));
  });

  it.each([['an unsupported scheme', 's3://bucket/m.onnx'], ['a relative path', 'models/m.onnx']])('refuses %s with SOURCE_NOT_ALLOWED', (_label, url) => {
    expect(() => assertSourceAllowed(url, roots)).toThrow(expect.objectContaining({ code: 'SOURCE_NOT_ALLOWED' }));
  });
});
