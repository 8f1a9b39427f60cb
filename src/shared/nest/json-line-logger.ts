import { ConsoleLogger, type LogLevel } from '@nestjs/common';

type JsonRecordOptions = Parameters<ConsoleLogger['printAsJson']>[1];
type Stream = 'stdout' | 'stderr';

const URGENT: ReadonlySet<LogLevel> = new Set(['error', 'fatal']);

/** Every logger with lines waiting; written out when the process exits. */
const live = new Set<JsonLineLogger>();
let exitHooked = false;

/** Nest's JSON logger, writing one turn of the event loop's lines in one write (a line each cost a system call); errors and exit flush at once. */
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
