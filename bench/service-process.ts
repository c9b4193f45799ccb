/**
 * The built API (`dist/src/main.js`) as a child process with exactly the given environment, the way
 * `npm run start:prod` runs it. Every started child is tracked so the runner can kill them all on any exit path.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { freePort } from '../test/support/service-process';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..');
export const SERVICE_ENTRY = path.join(REPO, 'dist', 'src', 'main.js');

/** The node flags of `npm run start:prod` (e.g. the V8 heap cap), so the bench runs what production runs. */
export function startProdNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const words = pkg.scripts['start:prod'].split(/\s+/);
  if (words[0] !== 'node' || words[words.length - 1] !== 'dist/src/main.js')
    throw new Error(`start:prod is not "node [flags] dist/src/main.js": ${pkg.scripts['start:prod']}`);
  return words.slice(1, -1);
}
const OUTPUT_LIMIT = 64 * 1024;
const STOP_GRACE_MS = 5_000;

const running = new Set<ServiceProcess>();

export class ServiceProcess {
  private outputTail = '';
  private exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly env: Record<string, string>,
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        running.delete(this);
        resolve(code);
      }),
    );
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitCode === undefined;
  }

  output(): string {
    return this.outputTail;
  }

  /** Starts the service on a free loopback port; resolves once the default model is loaded. */
  static async start(name: string, env: Record<string, string>, readyTimeoutMs = 120_000): Promise<ServiceProcess> {
    if (!existsSync(SERVICE_ENTRY)) throw new Error(`${SERVICE_ENTRY} is missing: run \`npm run build\` first`);
    const port = await freePort();
    const fullEnv = { ...env, PORT: String(port), HOST: '127.0.0.1' };
    const child = spawn(process.execPath, [...startProdNodeArgs(), SERVICE_ENTRY], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...fullEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(name, fullEnv, child, `http://127.0.0.1:${port}`);
    running.add(service);
    try {
      await service.waitUntilReady(readyTimeoutMs);
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) break;
      try {
        const response = await fetch(`${this.baseUrl}/api/ml/status`, { signal: AbortSignal.timeout(2_000) });
        if (response.status === 404)
          throw new Error('model load failed: no /api/ml/status (is dist/ stale? run `npm run build`)');
        if (response.ok) {
          const status = (await response.json()) as {
            models?: { loaded?: unknown[]; lastError?: { message: string } | null };
          };
          if ((status.models?.loaded?.length ?? 0) > 0) return;
          if (status.models?.lastError) throw new Error(`model load failed: ${status.models.lastError.message}`);
        }
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('model load failed')) throw this.failure(error.message);
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw this.failure(this.alive ? 'not ready in time' : `exited with code ${String(this.exitCode)}`);
  }

  private failure(reason: string): Error {
    return new Error(`service ${this.name}: ${reason}; last output:\n${this.outputTail.slice(-4000)}`);
  }

  /** SIGTERM, then SIGKILL after a grace period. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** Synchronous last resort for process exit handlers. */
  killNow(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}

export async function stopAllServices(): Promise<void> {
  await Promise.all([...running].map((service) => service.stop()));
}

export function killAllServicesNow(): void {
  for (const service of running) service.killNow();
}
