import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureNginx, nginxConfig, parseAccessLog, type AccessLogEntry } from './nginx-proxy';
import { nodeFlagsOfScript } from '../../test/support/package-scripts';
import { StackChild } from './stack-child';
import {
  databaseNameOf,
  databaseUrl,
  DEFAULT_ADMIN_DATABASE_URL,
  deleteKeys,
  dropDatabase,
  ensureDatabase,
  redisClient,
  runMigrations,
  type RedisTarget,
} from './stack-storage';

export const REPO = path.resolve(__dirname, '..', '..');
const READY_TIMEOUT_MS = 120_000;

export interface LocalStackOptions {
  replicas: number;
  /** nginx's port; 0 picks a free one. */
  port: number;
  /** nginx's listen address (the replicas always listen on loopback only). */
  host?: string;
  /** Use this database as it is (created and migrated by the caller or by an earlier stack). */
  databaseUrl?: string;
  /** Otherwise: create this database on `adminDatabaseUrl` when missing. */
  databaseName?: string;
  adminDatabaseUrl?: string;
  /** Drop the database at stop (tests); a stack started by hand keeps its data. */
  dropDatabaseOnStop?: boolean;
  redis?: RedisTarget;
  /** The stack's own namespace on the shared Redis (cache, queues, rate limits); its keys are deleted at stop. */
  redisKeyPrefix?: string;
  /** Whether to start the queue worker (default true). */
  worker?: boolean;
  /** Extra environment for every service, over the stack's own settings. */
  env?: Record<string, string>;
  /** Pass this process's environment on to the services (LLM settings, log level...); tests pass exactly `env`. */
  inheritEnv?: boolean;
  /** Progress lines. */
  say?: (line: string) => void;
  /** Every output line of every child, with its name. */
  onOutput?: (name: string, line: string) => void;
}

export interface ReplicaInfo {
  name: string;
  port: number;
  url: string;
  pid: number | null;
}

/** A child that ended while the stack had not stopped or killed it. */
export interface UnexpectedExit {
  name: string;
  code: number | null;
  at: number;
  outputTail: string;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(file) : statSync(file).mtimeMs);
  }
  return newest;
}

/** Runs `npm run build` when dist/ is missing or older than src/ or migrations/. */
export function ensureBuilt(say: (line: string) => void): void {
  const entry = path.join(REPO, 'dist', 'src', 'main.js');
  const stale =
    !existsSync(entry) ||
    Math.max(newestMtime(path.join(REPO, 'src')), newestMtime(path.join(REPO, 'migrations'))) > statSync(entry).mtimeMs;
  if (!stale) return;
  say('dist/ is missing or older than src/: running npm run build');
  const result = spawnSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${String(result.status)})`);
}

/**
 * K API replicas, one queue worker and nginx in front, on one machine's PostgreSQL and Redis. Nothing is
 * restarted on its own: a replica that dies stays dead until `restartReplica` (the fault scenario kills and
 * restarts one on purpose). `stop` takes everything down, whatever state it is in.
 */
export class LocalStack {
  readonly replicas: ReplicaInfo[] = [];
  readonly unexpectedExits: UnexpectedExit[] = [];
  readonly dir: string;
  readonly redisKeyPrefix: string;
  readonly redis: RedisTarget;
  readonly proxyPort: number;
  readonly proxyHost: string;
  nginx: StackChild | null = null;
  worker: StackChild | null = null;
  databaseUrl = '';
  private readonly apis = new Map<string, StackChild>();
  private readonly intentional = new WeakSet<StackChild>();
  private readonly say: (line: string) => void;
  private createdDatabase = false;
  private stopped = false;
  private baseEnv: Record<string, string> = {};

  private constructor(private readonly options: LocalStackOptions & { port: number }) {
    this.say = options.say ?? (() => undefined);
    this.redis = options.redis ?? { host: '127.0.0.1', port: 6379 };
    this.redisKeyPrefix = options.redisKeyPrefix ?? `combot-stack-${randomBytes(4).toString('hex')}`;
    this.proxyPort = options.port;
    this.proxyHost = options.host ?? '127.0.0.1';
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'combot-stack-'));
    // nginx's workers drop root for an unprivileged user: they must reach their temp paths in here.
    chmodSync(this.dir, 0o755);
  }

  /**
   * Starts everything; on any failure what was started is stopped again before the error is thrown.
   * `onCreated` gets the stack before it boots, so a signal handler can stop a stack that is still starting.
   */
  static async start(options: LocalStackOptions, onCreated?: (stack: LocalStack) => void): Promise<LocalStack> {
    if (!Number.isInteger(options.replicas) || options.replicas < 1) {
      throw new Error(`--replicas must be a whole number ≥ 1, not ${options.replicas}`);
    }
    const host = options.host ?? '127.0.0.1';
    const port = options.port === 0 ? await freePort(host) : options.port;
    if (!(await portIsFree(host, port)))
      throw new Error(`port ${port} on ${host} is in use: choose another with --port`);
    const stack = new LocalStack({ ...options, port });
    onCreated?.(stack);
    try {
      await stack.boot();
    } catch (error) {
      await stack.stop().catch(() => undefined);
      throw error;
    }
    return stack;
  }

  get proxyUrl(): string {
    return `http://${this.proxyHost === '0.0.0.0' ? '127.0.0.1' : this.proxyHost}:${this.proxyPort}`;
  }

  get accessLogFile(): string {
    return path.join(this.dir, 'access.log');
  }

  accessLog(): AccessLogEntry[] {
    return parseAccessLog(this.accessLogFile);
  }

  /** Bull's keys for this stack live under `<prefix>:bull:<queue>`. */
  get bullPrefix(): string {
    return `${this.redisKeyPrefix}:bull`;
  }

  replica(name: string): ReplicaInfo {
    const replica = this.replicas.find((candidate) => candidate.name === name);
    if (!replica) throw new Error(`no replica named ${name}`);
    return replica;
  }

  /** SIGKILL (kill -9) to one replica; resolves when it is gone. */
  async killReplica(name: string): Promise<void> {
    const child = this.apis.get(name);
    if (!child) return;
    this.intentional.add(child);
    await child.kill();
    this.replica(name).pid = null;
  }

  /** Starts a (killed or stopped) replica again on its port; resolves when it is ready. */
  async restartReplica(name: string): Promise<void> {
    const child = this.apis.get(name);
    if (child?.alive) throw new Error(`${name} is still running`);
    await this.startApi(this.replica(name));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const steps: [string, () => Promise<unknown>][] = [
      // The proxy first, so no request is sent to a replica that is stopping.
      // SIGQUIT is nginx's graceful stop: requests it is proxying finish (SIGTERM would cut them).
      ['nginx', () => this.stopChild(this.nginx, 'SIGQUIT')],
      ['replicas', () => Promise.all([...this.apis.values()].map((child) => this.stopChild(child)))],
      ['worker', () => this.stopChild(this.worker)],
      ['Redis keys', () => deleteKeys(this.redis, this.redisKeyPrefix)],
      [
        'database',
        async () => {
          if (this.options.dropDatabaseOnStop && this.databaseUrl) {
            await dropDatabase(this.adminUrl, databaseNameOf(this.databaseUrl));
          }
        },
      ],
      ['temp files', () => Promise.resolve(rmSync(this.dir, { recursive: true, force: true }))],
    ];
    const errors: string[] = [];
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (error) {
        errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (errors.length > 0) throw new Error(`stopping the stack left work undone: ${errors.join('; ')}`);
  }

  /** For a process `exit` hook: synchronous, best effort (children killed, temp files removed). */
  killNow(): void {
    for (const child of [this.nginx, this.worker, ...this.apis.values()]) child?.killNow();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get adminUrl(): string {
    return this.options.adminDatabaseUrl ?? DEFAULT_ADMIN_DATABASE_URL;
  }

  private async boot(): Promise<void> {
    const nginxBinary = ensureNginx(this.say);
    ensureBuilt(this.say);

    if (this.options.databaseUrl) {
      this.databaseUrl = this.options.databaseUrl;
    } else {
      const name = this.options.databaseName ?? `combot_stack_${this.proxyPort}`;
      this.createdDatabase = await ensureDatabase(this.adminUrl, name);
      this.databaseUrl = databaseUrl(this.adminUrl, name);
    }
    const inherited = this.options.inheritEnv
      ? Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => !!entry[1]))
      : { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    this.baseEnv = {
      ...inherited,
      HOST: '127.0.0.1',
      DATABASE_URL: this.databaseUrl,
      DB_MIGRATE_ON_START: 'false',
      REDIS_HOST: this.redis.host,
      REDIS_PORT: String(this.redis.port),
      REDIS_DB: String(this.redis.db ?? 0),
      ...(this.redis.password === undefined ? {} : { REDIS_PASSWORD: this.redis.password }),
      REDIS_KEY_PREFIX: this.redisKeyPrefix,
      QUEUE_PROCESS_IN_API: 'false',
      // Each replica stands for one pod, as the Kubernetes overlays run it: one HTTP process, not one per core.
      API_PROCESSES: inherited.API_PROCESSES ?? '1',
      // nginx runs on this host: believe its X-Forwarded-For, so rate limits key on the real client.
      TRUST_PROXY: 'loopback',
      ...this.options.env,
    };
    this.say(
      `database ${databaseNameOf(this.databaseUrl)} (${this.createdDatabase ? 'created' : 'existing'}): running migrations once`,
    );
    runMigrations(REPO, this.baseEnv);

    for (let i = 1; i <= this.options.replicas; i++) {
      const port = await freePort();
      this.replicas.push({ name: `api-${i}`, port, url: `http://127.0.0.1:${port}`, pid: null });
    }
    // One at a time: K model loads at once on a small machine only make each slower.
    for (const replica of this.replicas) await this.startApi(replica);
    if (this.options.worker ?? true) await this.startWorker();
    await this.startNginx(nginxBinary);
  }

  private watch(child: StackChild): StackChild {
    void child.exited.then((code) => {
      if (this.stopped || this.intentional.has(child)) return;
      this.unexpectedExits.push({ name: child.name, code, at: Date.now(), outputTail: child.output().slice(-2000) });
      this.say(`${child.name} (pid ${child.pid}) exited with code ${String(code)}; nothing restarts it`);
    });
    return child;
  }

  private spawnNode(name: string, entry: string, script: string, env: Record<string, string>): StackChild {
    this.refuseIfStopped();
    return this.watch(
      new StackChild(name, {
        command: process.execPath,
        args: [...nodeFlagsOfScript(script, entry), path.join(REPO, entry)],
        env,
        cwd: REPO,
        onLine: this.options.onOutput && ((line) => this.options.onOutput?.(name, line)),
      }),
    );
  }

  private async startApi(replica: ReplicaInfo): Promise<void> {
    const child = this.spawnNode(replica.name, 'dist/src/main.js', 'start:prod', {
      ...this.baseEnv,
      PORT: String(replica.port),
    });
    this.apis.set(replica.name, child);
    replica.pid = child.pid;
    await waitForHttp(child, `${replica.url}/api/health/ready`);
  }

  private async startWorker(): Promise<void> {
    this.worker = this.spawnNode('worker', 'dist/src/worker.js', 'start:worker', this.baseEnv);
    // Started once its blocking Bull connection is registered: Bull names it `<prefix>:<base64 queue name>`.
    const name = `name=${this.bullPrefix}:${Buffer.from('ml').toString('base64')}`;
    const redis = redisClient(this.redis);
    try {
      await redis.connect();
      const deadline = Date.now() + READY_TIMEOUT_MS;
      while (Date.now() < deadline && this.worker.alive) {
        const clients = (await redis.client('LIST')) as string;
        if (clients.split('\n').some((line) => line.split(' ').includes(name))) return;
        await sleep(200);
      }
    } finally {
      redis.disconnect();
    }
    throw new Error(`the queue worker did not start consuming; its output:\n${this.worker.output().slice(-3000)}`);
  }

  private async startNginx(binary: string): Promise<void> {
    this.refuseIfStopped();
    const config = path.join(this.dir, 'nginx.conf');
    writeFileSync(
      config,
      nginxConfig({
        listenHost: this.proxyHost,
        listenPort: this.proxyPort,
        upstreams: this.replicas.map(({ name, port }) => ({ name, port })),
        dir: this.dir,
      }),
    );
    // `-e`: the error log before the config is read, which would otherwise be the system's /var/log/nginx.
    this.nginx = this.watch(
      new StackChild('nginx', {
        command: binary,
        args: ['-p', this.dir, '-c', config, '-e', path.join(this.dir, 'error.log')],
        env: { PATH: process.env.PATH ?? '' },
        cwd: this.dir,
        onLine: this.options.onOutput && ((line) => this.options.onOutput?.('nginx', line)),
      }),
    );
    try {
      await waitForHttp(this.nginx, `${this.proxyUrl}/api/health/live`);
    } catch (error) {
      const log = path.join(this.dir, 'error.log');
      const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      throw new Error(`${error instanceof Error ? error.message : String(error)}\nnginx error log:\n${tail}`);
    }
  }

  /** A stack stopped while it was starting (Ctrl-C) must not start anything more. */
  private refuseIfStopped(): void {
    if (this.stopped) throw new Error('the stack was stopped while it was starting');
  }

  private async stopChild(child: StackChild | null, signal?: NodeJS.Signals): Promise<void> {
    if (!child) return;
    this.intentional.add(child);
    await child.stop(undefined, signal);
  }
}

/** Polls `url` until it answers 200, the child exits or time runs out. */
async function waitForHttp(child: StackChild, url: string, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.alive) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(
    `${child.name}: ${url} did not answer 200 ${child.alive ? 'in time' : '(it exited)'}; its output:\n${child
      .output()
      .slice(-3000)}`,
  );
}
