import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ModelMoraExceptionFilter } from './shared/http/exception.filter.js';
import { docsTokenGuard } from './shared/http/edge/docs-token.js';
import { edgeToken } from './shared/http/edge/edge-token.js';
import { refuseDeepJson } from './shared/http/edge/json-depth.js';
import { ModelMoraModule } from './modelmora.module.js';
import { JsonLineLogger } from './shared/nest/json-line-logger.js';
import { resolveOptions, type ModelMoraOptionsInput } from './shared/config/modelmora-options.js';
import { installHttpEdge, isRestJson } from './shared/http/edge/install-http-edge.js';
import { connectKafkaConsumer } from './inference/interface/kafka/connect-kafka-consumer.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The standalone server's Nest application: JSON logs, OpenAPI at /api/docs, error mapping for body parsing too. */
export async function createServer(options: ModelMoraOptionsInput, logLevel = 'log'): Promise<INestApplication> {
  const logger = new JsonLineLogger('ModelMora', LEVELS.slice(0, LEVELS.indexOf(logLevel as LogLevel) + 1));
  const app = await NestFactory.create<NestExpressApplication>(ModelMoraModule.forRoot({ ...options, httpEdge: undefined }), { logger, bufferLogs: false, bodyParser: false });
  // Origin/Host checks, CORS and security headers first, before any body is read (issue 19).
  installHttpEdge(app, options);
  // One decision for every route the adapter serves, Swagger's included: the token, before routing.
  const resolved = resolveOptions(options);
  if (resolved.apiToken) app.use(edgeToken(resolved.apiToken));
  // Tensors travel as JSON: Express's 100 kB default refuses modest inputs with 413. The limit counts inflated bytes.
  // `verify` runs before JSON.parse: a body nested a million deep is refused without building it (Nest only reserves it for rawBody).
  const verify = { verify: refuseDeepJson };
  app.useBodyParser('json', { limit: '16mb', type: isRestJson, ...verify });
  // Controller-scoped filters cannot see body-parser errors (malformed JSON): map them here.
  app.useGlobalFilters(new ModelMoraExceptionFilter());
  // Requests Node's parser refuses before Express sees them (a request line over 16 kB) still get our error language.
  (app.getHttpServer() as Server).on('clientError', answerUnparsableRequest);
  // The app is also a Kafka microservice consuming inference submissions.
  if (resolved.kafka) connectKafkaConsumer(app, resolved.kafka);
  setupOpenApi(app, 'api/docs', resolved.apiToken);
  return app;
}

/** Node's HTTP parser refused the request (too long a request line, malformed): answer in our error language, then close. */
function answerUnparsableRequest(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
  const body = JSON.stringify({ error_code: 'VALIDATION_ERROR', message: status === 431 ? 'request line or headers too large (16 kB at most)' : 'malformed HTTP request' });
  socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** OpenAPI UI at `/<path>`, the document at `/<path>-json`; behind the bearer token when one is given. */
export function setupOpenApi(app: INestApplication, path = 'api/docs', apiToken?: string): void {
  if (apiToken) app.use(docsTokenGuard(path, apiToken));
  const config = new DocumentBuilder()
    .setTitle('ModelMora')
    .setDescription('Model-serving control plane: catalog, lifecycle, inference, events')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup(path, app, () => SwaggerModule.createDocument(app, config));
}
