import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeLlm } from '../support/fake-llm';
import { PrivatePostgres } from '../support/private-postgres';
import { PrivateRedis } from '../support/private-redis';
import { freePort, ServiceProcess, startService, waitForHttp } from '../support/service-process';
import { configuredStudy, studyContentFile } from '../support/study-content';

/** Settings the suite runs the service with; the bounds it asserts are derived from them. */
export const STACK_SETTINGS = {
  llmTimeoutMs: 1500,
  llmBreakerThreshold: 3,
  llmBreakerCooldownMs: 2000,
  dbConnectTimeoutMs: 3000,
  dbStatementTimeoutMs: 4000,
} as const;

const REDIS_KEY_PREFIX = 'combot-faults';
const MODEL_ID = 'combot-complaint-classifier';
const SHIPPED_MODELS_DIR = path.resolve(__dirname, '..', '..', 'models');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A child process that ended on its own (not by the suite's own kill) while it should have been serving. */
export interface UnexpectedExit {
  role: 'api' | 'worker';
  code: number | null;
  at: number;
  outputTail: string;
}

/**
 * Everything the suite runs, on spare ports: a PostgreSQL and a Redis of its own, the fake LLM, the built API and
 * the built queue worker as child processes. Any part can be broken and mended while participants run; `destroy`
 * takes it all down, whatever state it was left in.
 */
export class FaultStack {
  readonly postgres = new PrivatePostgres('combot_faults_test');
  readonly redis = new PrivateRedis();
  readonly llm = new FakeLlm();
  readonly unexpectedExits: UnexpectedExit[] = [];
  /** Set, so the probes read without it are the ones an outsider sees, and the operator's view can be read too. */
  readonly adminKey = randomBytes(16).toString('hex');
  api: ServiceProcess | null = null;
  worker: ServiceProcess | null = null;
  private env: Record<string, string> = {};
  /** A configured study of this stack's own (removed at teardown): the example's placeholder links would show as degraded. */
  private readonly studyFile = studyContentFile(configuredStudy);
  private readonly intentionalKills = new WeakSet<ServiceProcess>();
  /** A copy of the shipped model the suite can make unreadable without touching the checkout's. */
  private readonly modelsDir = mkdtempSync(path.join(os.tmpdir(), 'combot-faults-models-'));

  get baseUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** Bull's keys live under `<REDIS_KEY_PREFIX>:bull:<queue>`. */
  get bullPrefix(): string {
    return `${REDIS_KEY_PREFIX}:bull`;
  }

  async start(): Promise<void> {
    cpSync(path.join(SHIPPED_MODELS_DIR, MODEL_ID), path.join(this.modelsDir, MODEL_ID), { recursive: true });
    await this.postgres.start();
    await this.redis.start();
    const llmUrl = await this.llm.start();
    this.env = {
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATABASE_URL: this.postgres.url,
      DB_MIGRATE_ON_START: 'true',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(this.redis.port),
      REDIS_KEY_PREFIX,
      QUEUE_PROCESS_IN_API: 'false',
      THROTTLE_LIMIT: '0',
      // One HTTP process: a kill then takes the whole API down (the harder case); several replicas have their
      // own scenario.
      API_PROCESSES: '1',
      ML_WORKERS: '1',
      ML_MODELS_DIR: this.modelsDir,
      ML_MODEL_ID: MODEL_ID,
      LOG_LEVEL: 'warn',
      STUDY_CONTENT_FILE: this.studyFile,
      ADMIN_API_KEY: this.adminKey,
      LLM_BASE_URL: llmUrl,
      LLM_TIMEOUT_MS: String(STACK_SETTINGS.llmTimeoutMs),
      LLM_BREAKER_THRESHOLD: String(STACK_SETTINGS.llmBreakerThreshold),
      LLM_BREAKER_COOLDOWN_MS: String(STACK_SETTINGS.llmBreakerCooldownMs),
      DB_CONNECT_TIMEOUT_MS: String(STACK_SETTINGS.dbConnectTimeoutMs),
      DB_STATEMENT_TIMEOUT_MS: String(STACK_SETTINGS.dbStatementTimeoutMs),
    };
    await this.startApi();
    await this.startWorker();
  }

  /** Starts the API and waits until it is ready (migrations applied, model loaded), or only live. */
  async startApi(until: 'ready' | 'live' = 'ready'): Promise<void> {
    this.api = this.watch('api', startService(this.env));
    await waitForHttp(this.api, `${this.baseUrl}/api/health/${until}`, 90_000);
  }

  private get onnxDir(): string {
    return path.join(this.modelsDir, MODEL_ID, 'onnx');
  }

  /** Moves the model's ONNX files away (as a missing or unmounted volume would) or back. */
  setModelReadable(readable: boolean): void {
    const hidden = `${this.onnxDir}.hidden`;
    if (readable && existsSync(hidden)) renameSync(hidden, this.onnxDir);
    if (!readable && existsSync(this.onnxDir)) renameSync(this.onnxDir, hidden);
  }

  /** Starts the queue worker and waits until its blocking Bull connection is registered in Redis. */
  async startWorker(): Promise<void> {
    this.worker = this.watch('worker', startService(this.env, 'dist/src/worker.js'));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && this.worker.child.exitCode === null) {
      if (this.consumers() > 0) return;
      await sleep(200);
    }
    throw new Error(`the queue worker did not start consuming; its output:\n${this.worker.output().slice(-3000)}`);
  }

  /** SIGKILL to a child and wait for it: no shutdown hook runs, as when the host kills it. */
  async kill(role: 'api' | 'worker'): Promise<void> {
    const service = role === 'api' ? this.api : this.worker;
    if (!service) return;
    if (role === 'api') this.api = null;
    else this.worker = null;
    this.intentionalKills.add(service);
    if (service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await service.exited;
  }

  /** SIGSTOP / SIGCONT to the worker (used to let jobs pile up before it is killed). */
  pauseWorker(paused: boolean): void {
    this.worker?.child.kill(paused ? 'SIGSTOP' : 'SIGCONT');
  }

  /** Consumers of the `ml` queue: Bull names each worker's blocking connection `<prefix>:<base64 queue name>`. */
  consumers(): number {
    const list = spawnSync('redis-cli', ['-p', String(this.redis.port), 'CLIENT', 'LIST'], { encoding: 'utf8' });
    const name = `${this.bullPrefix}:${Buffer.from('ml').toString('base64')}`;
    return (list.stdout ?? '').split('\n').filter((line) => line.includes(`name=${name}`)).length;
  }

  /**
   * Puts every part back as a fault may have left it: LLM answering, PostgreSQL thawed and running, Redis thawed and up,
   * API and worker running and ready. Each test starts from here, so one fault's failure does not cascade.
   */
  async mend(): Promise<void> {
    this.llm.mode = 'ok';
    this.setModelReadable(true);
    this.pauseWorker(false);
    this.postgres.thaw();
    if (this.postgres.postmasterPid() === null) await this.postgres.start();
    this.redis.thaw();
    if (!this.redis.running) await this.redis.start();
    if (!this.api || this.api.child.exitCode !== null) await this.startApi();
    if (!this.worker || this.worker.child.exitCode !== null) await this.startWorker();
    await waitForHttp(this.api as ServiceProcess, `${this.baseUrl}/api/health/ready`, 60_000);
  }

  /** Takes everything down; every step runs even when an earlier one throws. */
  async destroy(): Promise<void> {
    const steps: (() => Promise<void> | void)[] = [
      () => this.kill('worker'),
      () => this.kill('api'),
      () => this.postgres.destroy(),
      () => this.redis.stop(),
      () => this.llm.close(),
      () => rmSync(path.dirname(this.studyFile), { recursive: true, force: true }),
      () => rmSync(this.modelsDir, { recursive: true, force: true }),
    ];
    const errors: unknown[] = [];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'tearing the fault stack down failed');
  }

  /** For a process `exit` hook (jest interrupted): synchronous, best effort. */
  destroySync(): void {
    for (const service of [this.api, this.worker]) service?.child.kill('SIGKILL');
    try {
      this.postgres.destroy();
    } catch {
      // nothing more can be done while exiting
    }
    void this.redis.stop();
  }

  private watch(role: 'api' | 'worker', service: ServiceProcess): ServiceProcess {
    void service.exited.then((code) => {
      if (this.intentionalKills.has(service)) return;
      this.unexpectedExits.push({ role, code, at: Date.now(), outputTail: service.output().slice(-2000) });
    });
    return service;
  }
}
