import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { bearerTokenMatches } from './shared/http/api-token.guard.js';
import { ModelMoraExceptionFilter, toErrorBody } from './shared/http/exception.filter.js';
import { DomainError } from './shared/domain/domain-error.js';
import { ModelMoraModule } from './modelmora.module.js';
import { JsonLineLogger } from './shared/nest/json-line-logger.js';
import { resolveOptions, type ModelMoraOptionsInput } from './shared/config/modelmora-options.js';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The standalone server's Nest application: JSON logs, OpenAPI at /api/docs, error mapping for body parsing too. */
export async function createServer(options: ModelMoraOptionsInput, logLevel = 'log'): Promise<INestApplication> {
  const logger = new JsonLineLogger('ModelMora', LEVELS.slice(0, LEVELS.indexOf(logLevel as LogLevel) + 1));
  const app = await NestFactory.create<NestExpressApplication>(ModelMoraModule.forRoot(options), { logger, bufferLogs: false, bodyParser: false });
  // Tensors travel as JSON: Express's 100 kB default refuses modest inputs with 413.
  app.useBodyParser('json', { limit: '16mb' });
  // Controller-scoped filters cannot see body-parser errors (malformed JSON): map them here.
  app.useGlobalFilters(new ModelMoraExceptionFilter());
  // Requests Node's parser refuses before Express sees them (a request line over 16 kB) still get our error language.
  (app.getHttpServer() as Server).on('clientError', answerUnparsableRequest);
  // The app is also a Kafka microservice consuming inference submissions.
  const resolved = resolveOptions(options);
  if (resolved.kafka) (await import('./inference/interface/kafka/connect-kafka-consumer.js')).connectKafkaConsumer(app, resolved.kafka);
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
  if (apiToken) {
    const prefix = `/${path}`;
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (!req.path.startsWith(prefix) || bearerTokenMatches(req.headers.authorization, apiToken)) return next();
      const { status, body } = toErrorBody(new DomainError('UNAUTHORIZED', 'missing or wrong bearer token'));
      res.status(status).json(body);
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
