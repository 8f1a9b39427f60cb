import { ConsoleLogger, type LogLevel } from '@nestjs/common';

type JsonRecordOptions = Parameters<ConsoleLogger['printAsJson']>[1];
type Stream = 'stdout' | 'stderr';

const URGENT: ReadonlySet<LogLevel> = new Set(['error', 'fatal']);

/** Every logger with lines waiting; written out when the process exits. */
const live = new Set<JsonLineLogger>();
let exitHooked = false;

/**
 * Nest's JSON console logger, writing the lines of one turn of the event loop together.
 * Node writes stdout to a pipe or a file synchronously, one system call per line, and at the
 * default level the audit trail logs every event: three lines per job, each its own write.
 * Lines keep their order; an error or fatal record is written at once, with what waits
 * before it, and whatever waits is written when the process exits.
 */
export class JsonLineLogger extends ConsoleLogger {
  private pending: { stream: Stream; text: string }[] = [];
  private scheduled = false;

  constructor(context: string, logLevels: LogLevel[]) {
    super(context, { json: true, logLevels });
    if (!exitHooked) {
      exitHooked = true;
      process.once('exit', () => live.forEach((logger) => logger.flush()));
    }
  }

  protected override printAsJson(message: unknown, options: JsonRecordOptions): void {
    const record = this.getJsonLogObject(message, options);
    this.pending.push({ stream: options.writeStreamType ?? 'stdout', text: `${this.stringifyJsonLogObject(record)}\n` });
    if (URGENT.has(options.logLevel)) return this.flush();
    if (this.scheduled) return;
    this.scheduled = true;
    live.add(this);
    setImmediate(() => this.flush()).unref();
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
