/**
 * The preload's only output: single lines on stderr, each printed once per process, prefixed
 * `promwire:` (stdout belongs to the app).
 */
const printed = new Set<string>();

export function report(message: string): void {
  if (printed.has(message)) return;
  printed.add(message);
  process.stderr.write(`promwire: ${message}\n`);
}

/** The first line of an error's message. */
export function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
