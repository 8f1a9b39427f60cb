import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ModelMoraOptions } from '../shared/config/modelmora-options.js';
import type { HttpReply } from '../shared/http/adapter/node-exchange.js';
import { MODELMORA_OPTIONS } from '../shared/nest/tokens.js';

const TYPES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'dashboard.js': 'text/javascript; charset=utf-8',
  'charts.js': 'text/javascript; charset=utf-8',
  'api.js': 'text/javascript; charset=utf-8',
  'dashboard.css': 'text/css; charset=utf-8',
};

/** The assets sit beside the source (`src/dashboard/public`); the build runs from `dist/src/dashboard`. */
function publicDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const candidates = [join(here, 'public'), join(here, '../../../src/dashboard/public')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * The live dashboard: plain static files, no build step, nothing fetched from elsewhere.
 * The page itself holds no data; every reading goes through the token-guarded `/api/v1`
 * routes with the token the user typed in (kept in the tab's sessionStorage).
 */
@ApiExcludeController()
@Controller('dashboard')
export class DashboardController {
  private readonly files = new Map<string, Buffer>();

  constructor(@Inject(MODELMORA_OPTIONS) private readonly options: ModelMoraOptions) {
    const dir = publicDir();
    for (const name of Object.keys(TYPES)) this.files.set(name, readFileSync(join(dir, name)));
  }

  @Get()
  @Header('cache-control', 'no-cache')
  index(@Res() res: HttpReply): void {
    this.send(res, 'index.html');
  }

  /** Whether the page must ask for a token before its first API call (says nothing else). */
  @Get('config.json')
  @Header('cache-control', 'no-store')
  config() {
    return { token_required: Boolean(this.options.apiToken) };
  }

  @Get(':file')
  @Header('cache-control', 'no-cache')
  asset(@Param('file') file: string, @Res() res: HttpReply): void {
    this.send(res, file);
  }

  /** Answered by hand in what Express's response and Fastify's reply both offer. */
  private send(res: HttpReply, name: string): void {
    const body = this.files.get(name);
    if (!body) {
      res.status(404).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify({ error_code: 'NOT_FOUND', message: `no dashboard file ${name}` }));
      return;
    }
    res.status(200)
      .header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
      .header('content-type', TYPES[name]!)
      .send(body);
  }
}
