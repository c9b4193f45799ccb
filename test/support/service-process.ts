import { ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { tempDir } from './temp-dir';

const REPO = path.resolve(__dirname, '..', '..');

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A folder the embedded server's `postgres` user can reach even when the clone sits in a private dir. */
export function embeddedDataDir(label: string): string {
  return tempDir(`combot-${label}-`);
}

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts a built entry point (`dist/src/main.js` by default) as its own process with exactly `env`
 * (plus PATH/HOME), the way `npm start` runs it; `nodeArgs` go before the entry (e.g. a heap cap).
 * `npm test` builds before jest runs.
 */
export function startService(
  env: Record<string, string>,
  entry = 'dist/src/main.js',
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  let output = '';
  const child = spawn(process.execPath, [...nodeArgs, path.join(REPO, entry)], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, baseUrl: `http://127.0.0.1:${env.PORT}`, output: () => output, exited };
}

/** Polls `url` until it answers `status` (default 200) or the process exits or time runs out. */
export async function waitForHttp(
  service: ServiceProcess,
  url: string,
  timeoutMs = 60_000,
  status = 200,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(url);
      if (response.status === status) return response;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer ${status} in time; service output:\n${service.output()}`);
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. Safe to call on an exited process. */
export async function stopService(service: ServiceProcess, graceMs = 5_000): Promise<void> {
  if (service.child.exitCode !== null || service.child.signalCode !== null) return;
  service.child.kill('SIGTERM');
  const timer = setTimeout(() => service.child.kill('SIGKILL'), graceMs);
  await service.exited;
  clearTimeout(timer);
}
