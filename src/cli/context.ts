import type { Command } from 'commander';
import { ApiClient } from './api-client.js';

export const DEFAULT_URL = 'http://127.0.0.1:8000';

/** What every command needs: the API client and whether to print JSON. */
export interface CliContext {
  client: ApiClient;
  json: boolean;
}

function contextOf(command: Command): CliContext {
  const o = command.optsWithGlobals<{ url?: string; token?: string; json?: boolean }>();
  const url = o.url ?? process.env.MODELMORA_URL ?? DEFAULT_URL;
  const token = o.token ?? process.env.MODELMORA_API_TOKEN ?? undefined;
  return { client: new ApiClient({ url, token: token || undefined }), json: Boolean(o.json) };
}

/** Wraps an action so it receives the context first; errors travel up to main's single handler. */
export function withContext<A extends unknown[]>(action: (ctx: CliContext, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    await action(contextOf(command), ...(args.slice(0, -1) as A));
  };
}
