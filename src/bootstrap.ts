import type { INestApplication, LogLevel } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { bearerTokenMatches } from './shared/http/edge/api-token.guard.js';
import { ModelMoraExceptionFilter, toErrorBody } from './shared/http/edge/exception.filter.js';
import { DomainError } from './shared/domain/domain-error.js';
import { ModelMoraModule } from './modelmora.module.js';
import { JsonLineLogger } from './shared/nest/json-line-logger.js';
import { resolveOptions, type ModelMoraOptionsInput } from './shared/config/modelmora-options.js';
import type { HttpAdapterName } from './shared/config/options-from-env.js';
import { connectKafkaConsumer } from './inference/interface/kafka/connect-kafka-consumer.js';

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
  const module = ModelMoraModule.forRoot(options);
  const app = adapter === 'express' ? await onExpress(module, logger) : await onFastify(module, logger);
  // Controller-scoped filters cannot see body-parser errors (malformed JSON): map them here.
  app.useGlobalFilters(new ModelMoraExceptionFilter(app.get(HttpAdapterHost)));
  // The app is also a Kafka microservice consuming inference submissions.
  const resolved = resolveOptions(options);
  if (resolved.kafka) connectKafkaConsumer(app, resolved.kafka);
  setupOpenApi(app, 'api/docs', resolved.apiToken);
  return app;
}

type RootModule = Parameters<typeof NestFactory.create>[0];

async function onExpress(module: RootModule, logger: JsonLineLogger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { logger, bufferLogs: false, bodyParser: false });
  app.useBodyParser('json', { limit: JSON_BODY_LIMIT_BYTES });
  // Requests Node's parser refuses before Express sees them (a request line over 16 kB) still get our error language.
  (app.getHttpServer() as Server).on('clientError', answerUnparsableRequest);
  return app;
}

async function onFastify(module: RootModule, logger: JsonLineLogger): Promise<INestApplication> {
  // Imported only when chosen, so that an Express server or host never loads Fastify.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT_BYTES,
    clientErrorHandler: answerUnparsableRequest,
    // The router's own refusals (a malformed percent-encoding in the path) in our error language too.
    frameworkErrors: (error: FastifyError, _request: unknown, reply: FastifyReply) => {
      const { status, body } = toErrorBody(error);
      void reply.code(status).send(body);
    },
    // Routing as on Express: case-insensitive, a trailing slash ignored, model ids longer than find-my-way's 100 characters.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 2048 },
  });
  // Fastify's own JSON parser under the limit above; no form parser, as on Express.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false, bodyParser: false });
  // As on Express, an empty body under `Content-Type: application/json` (a DELETE from a client
  // that sets the header on every request) is no body, not Fastify's 400.
  const fastify = app.getHttpAdapter().getInstance();
  const json = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT_BYTES }, (request, body, done) =>
    body === '' ? done(null, undefined) : json(request, body as string, done),
  );
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
  if (apiToken) {
    const prefix = `/${path}`.toLowerCase();
    // Node's own request and response: what Express and Fastify's middleware layer both hand over.
    app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
      const url = (req.url ?? '/').toLowerCase();
      if (!url.startsWith(prefix) || bearerTokenMatches(req.headers.authorization, apiToken)) return next();
      const { status, body } = toErrorBody(new DomainError('UNAUTHORIZED', 'missing or wrong bearer token'));
      res.statusCode = status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(body));
    });
  }
  const config = new DocumentBuilder()
    .setTitle('ModelMora')
    .setDescription('Model-serving control plane: catalog, lifecycle, inference, events')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(path, app, () => SwaggerModule.createDocument(app, config));
}
