/**
 * A reason not to start that the operator can fix (a setting, a busy port): entry points print its message as
 * one line, without a stack trace, and exit with `exitCode` (78, EX_CONFIG, for a bad setting).
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode = 78,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The entry points' last resort: one line on stderr and an exit code, never a stack trace. */
export function exitOnStartupFailure(processName: string, error: unknown): never {
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(error.exitCode);
  }
  // Not a known cause: the stack is what a developer needs to find it.
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${processName} failed to start: ${detail}\n`);
  process.exit(1);
}
