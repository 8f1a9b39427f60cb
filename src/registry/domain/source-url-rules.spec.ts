import { describe, expect, it } from '@jest/globals';
import { assertSourceUrlHasNoCredentials } from './source-url-rules.js';

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
