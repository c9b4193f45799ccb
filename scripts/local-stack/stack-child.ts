import { ChildProcess, spawn } from 'node:child_process';

/** Enough of a child's output to explain why it failed, never its whole log. */
const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 10_000;

export interface StackChildOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Each output line as it comes (the CLI prints them prefixed); the tail is kept either way. */
  onLine?: (line: string) => void;
}

/**
 * One process of the stack. It runs in a process group of its own: a Ctrl-C in the terminal reaches only the
 * stack's runner, which then stops its children in order (proxy first, so no request lands on a stopping
 * replica), and signalling the group reaches nginx's workers as well as its master.
 */
export class StackChild {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private outputTail = '';
  private exitCode: number | null | undefined;
  private partialLine = '';

  constructor(
    readonly name: string,
    options: StackChildOptions,
  ) {
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const collect = (chunk: Buffer): void => {
      const text = chunk.toString();
      this.outputTail = (this.outputTail + text).slice(-OUTPUT_LIMIT);
      if (!options.onLine) return;
      const lines = (this.partialLine + text).split('\n');
      this.partialLine = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    this.child.stdout?.on('data', collect);
    this.child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      });
      // A spawn failure (binary missing) emits `error` and never `exit`.
      this.child.once('error', (error) => {
        this.outputTail += `\n${error.message}`;
        this.exitCode = null;
        resolve(null);
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid (it did not start)`);
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  output(): string {
    return this.outputTail;
  }

  /** SIGKILL to the process alone, as when the host kills it: no shutdown hook runs. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /**
   * `signal` (SIGTERM: a graceful stop for the service; nginx's is SIGQUIT) to the group, SIGKILL after a grace
   * period. Safe to call twice.
   */
  async stop(graceMs = STOP_GRACE_MS, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.alive) return;
    this.signalGroup(signal);
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort for a process `exit` hook. */
  killNow(): void {
    if (this.alive) this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is already gone
    }
  }
}
