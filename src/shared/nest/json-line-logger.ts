import { ConsoleLogger, type LogLevel } from '@nestjs/common';

type JsonRecordOptions = Parameters<ConsoleLogger['printAsJson']>[1];
type Stream = 'stdout' | 'stderr';

const URGENT: ReadonlySet<LogLevel> = new Set(['error', 'fatal']);

/** Every logger with lines waiting; written out when the process exits. */
const live = new Set<JsonLineLogger>();
let exitHooked = false;

/** Values JSON.stringify writes as Nest's replacer would; anything else (Map, Error, Date, bigint…) takes Nest's path. */
const PLAIN_NODES = 10_000;
function isPlain(value: unknown, budget: { left: number }): boolean {
  if (--budget.left < 0) return false;
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (const item of value) if (typeof item !== 'number' && !isPlain(item, budget)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) if (!isPlain((value as Record<string, unknown>)[key], budget)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** Nest's JSON logger, writing one turn of the event loop's lines in one write (a line each cost a system call); errors and exit flush at once. */
export class JsonLineLogger extends ConsoleLogger {
  private pending: { stream: Stream; text: string }[] = [];
  private scheduled = false;
  private readonly pid = process.pid;

  constructor(context: string, logLevels: LogLevel[]) {
    super(context, { json: true, logLevels });
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => live.forEach((logger) => logger.flush()));
    }
  }

  protected override printAsJson(message: unknown, options: JsonRecordOptions): void {
    this.pending.push({ stream: options.writeStreamType ?? 'stdout', text: `${this.line(message, options)}\n` });
    if (URGENT.has(options.logLevel)) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    live.add(this);
    setImmediate(() => this.flush()).unref();
  }

  /**
   * Nest's record, same fields in the same order. A plain record (the audit line, every
   * `{msg, …}` we log) is one JSON.stringify without Nest's per-key replacer, which cost
   * more than the rest of the line; anything else goes Nest's careful way.
   */
  private line(message: unknown, options: JsonRecordOptions): string {
    if (message === undefined || options.errorStack || options.error || options.params || !isPlain(message, { left: PLAIN_NODES })) {
      return this.stringifyJsonLogObject(this.getJsonLogObject(message, options));
    }
    const context = options.context ? `,"context":${JSON.stringify(options.context)}` : '';
    const text = `{"level":"${options.logLevel}","pid":${this.pid},"timestamp":${Date.now()},"message":${JSON.stringify(message) ?? 'null'}${context}}`;
    return text.length > 1_000_000 ? this.stringifyJsonLogObject(this.getJsonLogObject(message, options)) : text;
  }

  /** Writes every waiting line now. */
  flush(): void {
    this.scheduled = false;
    live.delete(this);
    const lines = this.pending;
    if (lines.length === 0) return;
    this.pending = [];
    // Consecutive lines for one stream go out as one write.
    for (let i = 0; i < lines.length; ) {
      const stream = lines[i]!.stream;
      let text = '';
      for (; i < lines.length && lines[i]!.stream === stream; i++) text += lines[i]!.text;
      process[stream].write(text);
    }
  }
}
