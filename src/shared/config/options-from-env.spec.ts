import { describe, expect, it } from '@jest/globals';
import { optionsFromEnv } from './options-from-env.js';
import { DEFAULT_OPTIONS, resolveOptions } from './modelmora-options.js';

describe('optionsFromEnv: safe defaults and the hardening settings', () => {
  it('listens on loopback unless MODELMORA_HOST says otherwise', () => {
    expect(optionsFromEnv({}).host).toBe('127.0.0.1');
    expect(optionsFromEnv({ MODELMORA_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('runs on Fastify unless MODELMORA_HTTP_ADAPTER picks Express, and refuses any other adapter', () => {
    expect(optionsFromEnv({}).httpAdapter).toBe('fastify');
    expect(optionsFromEnv({ MODELMORA_HTTP_ADAPTER: 'express' }).httpAdapter).toBe('express');
    expect(optionsFromEnv({ MODELMORA_HTTP_ADAPTER: 'Fastify' }).httpAdapter).toBe('fastify');
    expect(() => optionsFromEnv({ MODELMORA_HTTP_ADAPTER: 'koa' })).toThrow(/MODELMORA_HTTP_ADAPTER must be fastify or express/);
  });

  it('refuses a MODELMORA_HOST that is not an address, naming the variable', () => {
    expect(() => optionsFromEnv({ MODELMORA_HOST: 'http://0.0.0.0' })).toThrow(/MODELMORA_HOST/);
  });

  it('reads the database timeouts; unset ones keep their defaults', () => {
    const options = resolveOptions(optionsFromEnv({ MODELMORA_DB_STATEMENT_TIMEOUT_MS: '1500', MODELMORA_DB_LOCK_TIMEOUT_MS: '0' }));
    expect(options.databaseTimeouts).toEqual({ ...DEFAULT_OPTIONS.databaseTimeouts, statementMs: 1500, lockMs: 0 });
  });

  it('refuses a timeout that is not a non-negative integer, naming the variable', () => {
    expect(() => optionsFromEnv({ MODELMORA_DB_CONNECT_TIMEOUT_MS: '5s' })).toThrow(/MODELMORA_DB_CONNECT_TIMEOUT_MS/);
  });
});

describe('the database schema (MODELMORA_DATABASE_SCHEMA / databaseSchema)', () => {
  it('defaults to modelmora and reads the variable', () => {
    expect(resolveOptions(optionsFromEnv({})).databaseSchema).toBe('modelmora');
    expect(resolveOptions(optionsFromEnv({ MODELMORA_DATABASE_SCHEMA: 'tenant_a' })).databaseSchema).toBe('tenant_a');
  });

  it.each(['x"; DROP TABLE event_store; --', 'Mixed', '1abc', 'a-b', 'pg_mine', 'a'.repeat(47)])('refuses "%s" at start, naming the variable', (bad) => {
    expect(() => optionsFromEnv({ MODELMORA_DATABASE_SCHEMA: bad })).toThrow(/MODELMORA_DATABASE_SCHEMA must/);
  });

  it('refuses a bad forRoot option the same way', () => {
    expect(() => resolveOptions({ databaseSchema: 'public; --' })).toThrow(/configuration: databaseSchema must be a plain identifier/);
  });
});

describe('the event feed (MODELMORA_MAX_STREAM_CLIENTS and its bounds)', () => {
  it('reads the variables; unset ones keep their defaults', () => {
    const options = resolveOptions(optionsFromEnv({ MODELMORA_MAX_STREAM_CLIENTS: '50', MODELMORA_FEED_STALL_WARN_MS: '5000' }));
    expect(options).toMatchObject({ maxStreamClients: 50, feedStallWarnMs: 5000, streamClientBufferKb: 256, streamHeartbeatMs: 15_000, feedWindowEvents: 10_000 });
  });

  it.each([
    ['MODELMORA_MAX_STREAM_CLIENTS', '0'],
    ['MODELMORA_STREAM_CLIENT_BUFFER_KB', '1'],
    ['MODELMORA_STREAM_HEARTBEAT_MS', '10'],
    ['MODELMORA_FEED_WINDOW_MB', 'lots'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => optionsFromEnv({ [name]: value })).toThrow(new RegExp(name));
  });
});

describe('the browser checks (MODELMORA_ALLOWED_ORIGINS, MODELMORA_ALLOWED_HOSTS)', () => {
  it('reads comma-separated origins and host names; unset means none beyond the defaults', () => {
    expect(optionsFromEnv({ MODELMORA_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000', MODELMORA_ALLOWED_HOSTS: 'models.internal,*' }).httpEdge)
      .toEqual({ allowedOrigins: ['https://app.example.com', 'http://localhost:3000'], allowedHosts: ['models.internal', '*'] });
    expect(optionsFromEnv({}).httpEdge).toEqual({ allowedOrigins: [], allowedHosts: [] });
  });

  it.each([
    ['MODELMORA_ALLOWED_ORIGINS', 'https://app.example.com/'],
    ['MODELMORA_ALLOWED_ORIGINS', 'app.example.com'],
    ['MODELMORA_ALLOWED_HOSTS', 'models.internal:8000'],
    ['MODELMORA_ALLOWED_HOSTS', 'http://models.internal'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(() => optionsFromEnv({ [name]: value })).toThrow(new RegExp(name));
  });

  it('leaves a host app without the checks unless it asks (forRoot)', () => {
    expect(resolveOptions({}).httpEdge).toBeUndefined();
    expect(resolveOptions({ httpEdge: true }).httpEdge).toEqual({ allowedOrigins: [], allowedHosts: [], securityHeaders: false });
  });
});
