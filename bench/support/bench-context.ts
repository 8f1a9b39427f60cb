import type { AppModules } from './app-modules.js';
import type { BenchDatabase } from './bench-database.js';
import type { BenchResult } from './stats.js';
import type { TinyModel } from './tiny-model.js';

export interface BenchContext {
  quick: boolean;
  db: BenchDatabase;
  app: AppModules;
  model: TinyModel;
  /** KAFKA_BROKERS, when set. */
  kafkaBrokers?: string;
  /** --profile DIR: app servers run with --cpu-prof into DIR. */
  profileDir?: string;
  log(line: string): void;
  /** Environment for an app server process: this run's database and a fresh model cache. */
  serverEnv(): Record<string, string>;
  /** Extra node flags for app server processes (profiling). */
  serverNodeArgs(label: string): string[];
}

export interface BenchCase {
  name: string;
  /** A reason to skip on this run (e.g. no PostgreSQL, no Kafka), else undefined. */
  skip?(ctx: BenchContext): string | undefined;
  run(ctx: BenchContext): Promise<BenchResult[]>;
}
