/**
 * HTTP ceilings from `wrk` (C, epoll): on two shared cores a JavaScript load generator costs the server about a
 * core, so cheap routes are measured with wrk when it is installed (`apt-get install wrk`), else autocannon.
 * A Lua `done` hook prints the exact percentiles as JSON.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedLoop, type ClosedLoopOptions, type ClosedLoopResult } from './closed-loop';

export function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version: it is installed if it could be spawned at all.
    return (error as { code?: string }).code !== 'ENOENT';
  }
}

const MARKER = 'WRKJSON ';

function luaScript(method: string, body: string | undefined): string {
  if (body?.includes(']==]')) throw new Error('wrk body must not contain ]==]');
  return [
    `wrk.method = "${method}"`,
    body === undefined ? '' : `wrk.body = [==[${body}]==]`,
    body === undefined ? '' : `wrk.headers["Content-Type"] = "application/json"`,
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    `  io.write(string.format('${MARKER}{"requests":%d,"durationUs":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%f,` +
      `"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n', summary.requests, summary.duration,` +
      ' latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean,' +
      ' e.connect, e.read, e.write, e.status, e.timeout))',
    'end',
  ].join('\n');
}

interface WrkJson {
  requests: number;
  durationUs: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

/** Same contract as closedLoop, with a constant body (wrk sends the same request every time). */
export async function wrkClosedLoop(
  options: Omit<ClosedLoopOptions, 'body'> & { body?: unknown },
): Promise<ClosedLoopResult> {
  const url = new URL(options.path, options.baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`benchmark load targets 127.0.0.1 only, not ${url.hostname}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'combot-bench-wrk-'));
  const script = path.join(dir, 'request.lua');
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  writeFileSync(script, luaScript(method, options.body === undefined ? undefined : JSON.stringify(options.body)));
  const seconds = Math.max(1, Math.round(options.durationMs / 1000));
  try {
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(
        'wrk',
        ['-t1', `-c${options.connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, url.toString()],
        { timeout: (seconds + 30) * 1000 },
        (error, out, stderr) => (error ? reject(new Error(`wrk failed: ${error.message} ${stderr}`)) : resolve(out)),
      ),
    );
    const line = stdout.split('\n').find((candidate) => candidate.startsWith(MARKER));
    if (!line) throw new Error(`wrk printed no summary:\n${stdout}`);
    const summary = JSON.parse(line.slice(MARKER.length)) as WrkJson;
    const ok = summary.requests - summary.status;
    const durationMs = summary.durationUs / 1000;
    return {
      requestsPerSecond: (ok / durationMs) * 1000,
      ok,
      non2xx: summary.status,
      errors: summary.connect + summary.read + summary.write,
      timeouts: summary.timeout,
      durationMs,
      latencyMs: {
        count: summary.requests,
        mean: summary.mean / 1000,
        p50: summary.p50 / 1000,
        p95: summary.p95 / 1000,
        p99: summary.p99 / 1000,
        max: summary.max / 1000,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** wrk when installed, else autocannon; says which in `generator`. */
export async function constantLoad(
  options: Omit<ClosedLoopOptions, 'body'> & { body?: unknown },
  useWrk: boolean,
): Promise<ClosedLoopResult & { generator: 'wrk' | 'autocannon' }> {
  if (useWrk) return { ...(await wrkClosedLoop(options)), generator: 'wrk' };
  const { body, ...rest } = options;
  const result = await closedLoop(body === undefined ? rest : { ...rest, body: () => body });
  return { ...result, generator: 'autocannon' };
}
