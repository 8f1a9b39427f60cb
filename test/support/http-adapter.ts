import type { INestApplication } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import type { HttpAdapterName } from '../../src/bootstrap.js';

/** The HTTP adapter e2e suites run on: MODELMORA_TEST_HTTP_ADAPTER, else the server's default (Fastify). */
export function testHttpAdapter(): HttpAdapterName {
  const chosen = (process.env.MODELMORA_TEST_HTTP_ADAPTER || 'fastify').toLowerCase();
  if (chosen !== 'fastify' && chosen !== 'express') throw new Error(`MODELMORA_TEST_HTTP_ADAPTER must be fastify or express, got "${chosen}"`);
  return chosen;
}

/** Fastify routes requests only once ready (`listen` makes it so); supertest calls the server before that. */
export async function readyForRequests(app: INestApplication): Promise<INestApplication> {
  const instance = app.getHttpAdapter().getInstance() as { ready?: () => PromiseLike<unknown> };
  if (app.getHttpAdapter().getType() === 'fastify') await instance.ready!();
  return app;
}

/** A fresh adapter of the suite's kind for a host app built in a test (`createNestApplication(adapter)`). */
export async function hostHttpAdapter(): Promise<AbstractHttpAdapter> {
  if (testHttpAdapter() === 'express') return new (await import('@nestjs/platform-express')).ExpressAdapter();
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  return new FastifyAdapter();
}
