export function ensureRunId(): string;
export function skipReportPath(): { dir: string; file: string };
