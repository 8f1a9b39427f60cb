import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import type { IncomingHttpHeaders } from 'node:http';

/** What one of our routes needs from a Fastify host, carried in its Fastify route config (Express ignores it). */
interface RouteNeeds {
  /** Reads its own body whatever its Content-Type, under its own limit (OIP, OpenAI). */
  ownBody?: boolean;
  /** Ends in `*path` (path-to-regexp, Express), which find-my-way spells `*`. */
  restOfPath?: boolean;
}
const KEY = 'modelmora';

function needs(need: keyof RouteNeeds): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as Record<string, RouteNeeds>;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [KEY]: { ...config[KEY], [need]: true } }, handler);
  };
}

/** The route reads its request body itself (OIP's binary tensors, tritonclient's bodies without a Content-Type). */
export const ReadsOwnBody = (): MethodDecorator => needs('ownBody');
/** The route's path ends in the wildcard `*path`. */
export const MatchesRestOfPath = (): MethodDecorator => needs('restOfPath');

interface FastifyRoute {
  url: string;
  path?: string;
  config?: Record<string, unknown>;
  preParsing?: unknown;
  preValidation?: unknown;
}
interface FastifyLike {
  addHook(name: 'onRoute', hook: (route: FastifyRoute) => void): unknown;
}

/**
 * On a Fastify host, gives our routes what they need, each route by its own options (an
 * `onRoute` hook that changes only routes marked above): the host's parsers, limits and other
 * routes are untouched. On Express there is nothing to do: Express leaves an unparsed body to
 * the handler and routes `*path` itself.
 */
@Injectable()
export class FastifyRoutes {
  private installed = false;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /** Call before the app registers its routes (a module's `configure`): the hook sees only routes added after it. */
  install(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (this.installed || adapter?.getType() !== 'fastify') return;
    this.installed = true;
    (adapter.getInstance() as FastifyLike).addHook('onRoute', (route) => {
      const need = route.config?.[KEY] as RouteNeeds | undefined;
      if (need?.restOfPath) route.url = route.path = route.url.replace(/\*path$/, '*');
      if (need?.ownBody) {
        route.preParsing = [...hooks(route.preParsing), setBodyHeadersAside];
        route.preValidation = [putBodyHeadersBack, ...hooks(route.preValidation)];
      }
    });
  }
}

function hooks(given: unknown): unknown[] {
  return given === undefined ? [] : Array.isArray(given) ? given : [given];
}

// Fastify parses (or refuses: 415 without a parser, 413 past the host's bodyLimit) only a
// request whose headers announce a body; they are set aside before parsing and put back
// before the guards and the handler see the request, which then reads node's stream itself.
const BODY_HEADERS = ['content-type', 'content-length', 'transfer-encoding'] as const;
const setAside = Symbol('modelmora.bodyHeaders');
type RawWithAside = { headers: IncomingHttpHeaders; [setAside]?: Partial<IncomingHttpHeaders> };

function setBodyHeadersAside(request: { raw: RawWithAside }, _reply: unknown, payload: unknown, done: (err: null, payload: unknown) => void): void {
  const { headers } = request.raw;
  const aside: Partial<IncomingHttpHeaders> = {};
  for (const name of BODY_HEADERS) {
    if (headers[name] === undefined) continue;
    aside[name] = headers[name] as string;
    delete headers[name];
  }
  request.raw[setAside] = aside;
  done(null, payload);
}

function putBodyHeadersBack(request: { raw: RawWithAside }, _reply: unknown, done: () => void): void {
  Object.assign(request.raw.headers, request.raw[setAside]);
  delete request.raw[setAside];
  done();
}
