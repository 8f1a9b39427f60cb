import { describe, expect, it } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '../../domain/domain-error.js';
import { ModelUnhealthyError } from '../../domain/model-unhealthy.error.js';
import { answerFailure } from './exception.filter.js';
import { protocolErrorBody, ProtocolError } from './protocol-errors.js';

/** The parts of a response and a logger that answerFailure touches, recording what it did. */
function recorder() {
  const headers: Record<string, string> = {};
  const logged: Array<[string, unknown]> = [];
  const response = { setHeader: (k: string, v: string) => void (headers[k] = v) } as unknown as Response;
  const logger = { warn: (m: unknown) => void logged.push(['warn', m]), error: (m: unknown) => void logged.push(['error', m]) } as unknown as Logger;
  return { headers, logged, response, logger };
}

describe('answerFailure: what every HTTP surface does with a failure', () => {
  it('given a 503 that clears by itself, then says when to come back, and logs nothing (a domain answer)', () => {
    const r = recorder();
    const { status, body } = answerFailure(new ModelUnhealthyError('m/1', 'unhealthy'), r.response, r.logger);
    expect(status).toBe(503);
    expect(body.error_code).toBe('MODEL_UNHEALTHY');
    expect(r.headers['Retry-After']).toBe('5');
    expect(r.logged).toEqual([]);
  });

  it('given a 4xx domain error, then no Retry-After and no log', () => {
    const r = recorder();
    expect(answerFailure(new DomainError('VALIDATION_ERROR', 'bad'), r.response, r.logger).status).toBe(400);
    expect(r.headers).toEqual({});
    expect(r.logged).toEqual([]);
  });

  it('given an unexpected error, then a 500 without its message, logged once with its stack', () => {
    const r = recorder();
    const { status, body } = answerFailure(new TypeError('x is undefined'), r.response, r.logger);
    expect({ status, body }).toEqual({ status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'internal error' } });
    expect(r.logged.map(([level]) => level)).toEqual(['error']);
  });

  it('given a database outage, then 503 SERVICE_UNAVAILABLE with Retry-After, logged as a warning', () => {
    const r = recorder();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { status, body } = answerFailure(refused, r.response, r.logger);
    expect(status).toBe(503);
    expect(body.error_code).toBe('SERVICE_UNAVAILABLE');
    expect(r.headers['Retry-After']).toMatch(/^\d+$/);
    expect(r.logged.map(([level]) => level)).toEqual(['warn']);
  });
});

describe('protocolErrorBody and ProtocolError: one mapping, each protocol its shape', () => {
  it('given an OpenAI refusal naming a parameter, then OpenAI gets the code and param, OIP the message, REST an upper-case code', () => {
    const { status, body } = new ProtocolError(404, "The model 'm' does not exist", 'model_not_found', 'model').answer;
    expect(status).toBe(404);
    expect(protocolErrorBody('openai', status, body.error_code, body.message, body.details)).toEqual({
      error: { message: "The model 'm' does not exist", type: 'invalid_request_error', param: 'model', code: 'model_not_found' },
    });
    expect(protocolErrorBody('oip', status, body.error_code, body.message, body.details)).toEqual({ error: "The model 'm' does not exist" });
    expect(protocolErrorBody('rest', status, body.error_code, body.message, body.details)).toEqual({
      error_code: 'MODEL_NOT_FOUND', message: "The model 'm' does not exist", details: { field: 'body.model' },
    });
  });

  it("given the edge guard's validation error on a body field, then OpenAI names the parameter", () => {
    const body = protocolErrorBody('openai', 400, 'VALIDATION_ERROR', 'bad', { field: 'body.input[3]' }) as { error: { param: unknown; code: unknown } };
    expect(body.error).toMatchObject({ param: 'input[3]', code: 'validation_error' });
  });

  it('given a 401 and a 403, then OpenAI says invalid_api_key and permission_error', () => {
    expect(protocolErrorBody('openai', 401, 'UNAUTHORIZED', 'no')).toMatchObject({ error: { type: 'authentication_error', code: 'invalid_api_key' } });
    expect(protocolErrorBody('openai', 403, 'FORBIDDEN', 'no')).toMatchObject({ error: { type: 'permission_error' } });
  });
});
