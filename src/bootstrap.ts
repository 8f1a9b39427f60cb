import type { INestApplication, LogLevel } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ModelMoraExceptionFilter } from './shared/http/edge/exception.filter.js';
import { docsTokenGuard } from './shared/http/edge/docs-token.js';
import { edgeToken } from './shared/http/edge/edge-token.js';
import { answerFrameworkError, installFastifyBodyBounds } from './shared/http/edge/fastify-body-bounds.js';
import { refuseDeepJson } from './shared/http/edge/json-depth.js';
import { installHttpEdge, isRestJson, useRawMiddleware } from './shared/http/edge/install-http-edge.js';
import { ModelMoraModule } from './modelmora.module.js';
import { JsonLineLogger } from './shared/nest/json-line-logger.js';
import { resolveOptions, type ModelMoraOptionsInput } from './shared/config/modelmora-options.js';
import type { HttpAdapterName } from './shared/config/options-from-env.js';

export type { HttpAdapterName } from './shared/config/options-from-env.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Tensors travel as JSON: the adapters' defaults (100 kB Express, 1 MB Fastify) refuse modest inputs with 413. */
const JSON_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * The standalone server's Nest application, on Fastify unless `adapter` says Express: JSON
 * logs, OpenAPI at /api/docs, error mapping for body parsing too. The module itself is the
 * same on both; only this wiring differs.
 */
export async function createServer(options: ModelMoraOptionsInput, logLevel = 'log', adapter: HttpAdapterName = 'fastify'): Promise<INestApplication> {
  const logger = new JsonLineLogger('ModelMora', LEVELS.slice(0, LEVELS.indexOf(logLevel as LogLevel) + 1));
  // The standalone server installs the edge for its whole app (Swagger's routes included), not per module route.
  const module = ModelMoraModule.forRoot({ ...options, httpEdge: undefined });
  const resolved = resolveOptions(options);
  // Origin/Host checks, CORS, security headers and the token, before any body is read or route runs (issue 19).
  const edge = (app: INestApplication) => {
    installHttpEdge(app, options);
    if (resolved.apiToken) useRawMiddleware(app, edgeToken(resolved.apiToken));
  };
  const app = adapter === 'express' ? await onExpress(module, logger, edge) : await onFastify(module, logger, edge);
  // Controller-scoped filters cannot see body-parser errors (malformed JSON): map them here.
  app.useGlobalFilters(new ModelMoraExceptionFilter(app.get(HttpAdapterHost)));
  // The app is also a Kafka microservice consuming inference submissions.
  // Loaded only when Kafka is on: kafkajs and Nest's transport cost start-up time for nothing otherwise.
  if (resolved.kafka) (await import('./inference/interface/kafka/connect-kafka-consumer.js')).connectKafkaConsumer(app, resolved.kafka);
  setupOpenApi(app, 'api/docs', resolved.apiToken);
  return app;
}

type RootModule = Parameters<typeof NestFactory.create>[0];

async function onExpress(module: RootModule, logger: JsonLineLogger, edge: (app: INestApplication) => void): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, bufferLogs: false, bodyParser: false });
  edge(app);
  // REST's JSON only (/v2 and /v1 read their own bodies); the limit counts inflated bytes. `verify` runs
  // before JSON.parse: a body nested a million deep is refused without building it (Nest reserves it only for rawBody).
  const verify = { verify: refuseDeepJson };
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT_BYTES, type: isRestJson, ...verify });
  // Requests Node's parser refuses before Express sees them (a request line over 16 kB) still get our error language.
  (app.getHttpServer() as Server).on('clientError', answerUnparsableRequest);
  return app;
}

async function onFastify(module: RootModule, logger: JsonLineLogger, edge: (app: INestApplication) => void): Promise<INestApplication> {
  // Imported only when chosen, so that an Express server or host never loads Fastify.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    clientErrorHandler: answerUnparsableRequest,
    // A URL that does not decode is refused by the router itself: still in our error shapes, in the protocol its path speaks.
    frameworkErrors: answerFrameworkError,
    // Routing as on Express: case-insensitive, a trailing slash ignored, model ids longer than find-my-way's 100 characters.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 2048 },
  });
  // Fastify's own JSON parser under the limit above; no form parser, as on Express.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false, bodyParser: false });
  edge(app);
  // As on Express: REST bodies inflated under the limit, JSON nested past reason refused unparsed, and an
  // empty body under `Content-Type: application/json` (a DELETE from a client that sets it always) no body.
  installFastifyBodyBounds(adapter.getInstance(), JSON_BODY_LIMIT_BYTES);
  return app;
}

/** Node's HTTP parser refused the request (too long a request line, malformed): answer in our error language, then close. */
function answerUnparsableRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ error_code: 'VALIDATION_ERROR', message: status === 431 ? 'request line or headers too large (16 kB at most)' : 'malformed HTTP request' });
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * OpenAPI UI at `/<path>`, the document at `/<path>-json`; behind the bearer token when one is
 * given. Its routes are registered now, at boot (Fastify takes no route once ready); only the
 * document is built later, on its first request.
 */
export function setupOpenApi(app: INestApplication, path = 'api/docs', apiToken?: string): void {
  if (apiToken) useRawMiddleware(app, docsTokenGuard(path, apiToken));
  const config = new DocumentBuilder()
    .setTitle('ModelMora')
    .setDescription('Model-serving control plane: catalog, lifecycle, inference, events')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(path, app, () => SwaggerModule.createDocument(app, config));
}
