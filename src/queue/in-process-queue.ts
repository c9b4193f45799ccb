import { Logger } from '@nestjs/common';
import type { JobId, JobOptions } from 'bull';
import { parseExpression } from 'cron-parser';
import { MAX_TIMER_MS, timerDelay } from '../config/timer-limit';
import type { JobCounts, JobLike, JobQueue, JobState } from './job-queue';

type Handler = (job: JobLike) => Promise<unknown>;

class InProcessJob implements JobLike {
  attemptsMade = 0;
  returnvalue: unknown = null;
  failedReason?: string;
  processedOn?: number;
  finishedOn?: number;
  state: JobState = 'waiting';
  discarded = false;
  readonly timestamp = Date.now();

  constructor(
    readonly id: JobId,
    readonly name: string,
    readonly data: unknown,
    readonly opts: JobOptions,
  ) {}

  progress(): number {
    return this.state === 'completed' ? 100 : 0;
  }

  getState(): Promise<JobState> {
    return Promise.resolve(this.state);
  }

  discard(): void {
    this.discarded = true;
  }
}

/**
 * Bull's queue semantics without Redis, for the zero-service mode: named processors with a concurrency,
 * attempts with exponential backoff, `discard()`, bounded completed/failed history, repeatable cron jobs
 * (scheduled once per repeat key). Not durable: jobs live in this process only, as health reports.
 */
export class InProcessQueue implements JobQueue {
  private readonly logger: Logger;
  private readonly jobs = new Map<string, InProcessJob>();
  private readonly waiting: InProcessJob[] = [];
  private readonly handlers = new Map<string, { handler: Handler; concurrency: number; active: number }>();
  private readonly repeats = new Map<string, { name: string; cron: string; timer: NodeJS.Timeout | null }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The jobs running now, settled when they finish: what `pause` and `close` wait for. */
  private readonly running = new Set<Promise<void>>();
  private nextId = 1;
  private closed = false;
  private closing: Promise<void> | null = null;
  private paused = false;

  constructor(readonly name: string) {
    this.logger = new Logger(`InProcessQueue:${name}`);
  }

  add(name: string, data: unknown, opts: JobOptions = {}): Promise<{ id: JobId }> {
    if (this.closed) return Promise.reject(new Error(`queue ${this.name} is closed`));
    const cron = opts.repeat && 'cron' in opts.repeat ? opts.repeat.cron : undefined;
    if (cron) return Promise.resolve(this.addRepeatable(name, data, opts, cron));
    const id = opts.jobId ?? String(this.nextId++);
    const existing = this.jobs.get(String(id));
    if (existing) return Promise.resolve(existing);
    const job = new InProcessJob(id, name, data, opts);
    this.jobs.set(String(id), job);
    if (opts.delay && opts.delay > 0) this.later(job, opts.delay);
    else this.enqueue(job);
    return Promise.resolve(job);
  }

  getJob(id: JobId): Promise<JobLike | null> {
    return Promise.resolve(this.jobs.get(String(id)) ?? null);
  }

  getJobCounts(): Promise<JobCounts> {
    const counts: JobCounts = { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 };
    for (const job of this.jobs.values()) if (job.state in counts) counts[job.state as keyof JobCounts]++;
    return Promise.resolve(counts);
  }

  process(name: string, concurrency: number, handler: Handler): Promise<void> {
    this.handlers.set(name, { handler, concurrency: Math.max(1, concurrency), active: 0 });
    this.drain();
    return Promise.resolve();
  }

  getRepeatableJobs(): Promise<{ key: string; name: string; cron: string }[]> {
    return Promise.resolve(
      [...this.repeats.entries()].map(([key, repeat]) => ({ key, name: repeat.name, cron: repeat.cron })),
    );
  }

  /** Workers consuming this queue: the processors registered in this process. */
  getWorkers(): Promise<unknown[]> {
    return Promise.resolve([...this.handlers.keys()].map((name) => ({ name: `in-process:${name}` })));
  }

  removeRepeatableByKey(key: string): Promise<void> {
    const repeat = this.repeats.get(key);
    if (repeat?.timer) clearTimeout(repeat.timer);
    this.repeats.delete(key);
    return Promise.resolve();
  }

  /** One process holds the whole queue, so a local pause and a global one are the same: jobs wait, none starts. */
  async pause(_isLocal?: boolean, doNotWaitActive = false): Promise<void> {
    this.paused = true;
    if (!doNotWaitActive) await Promise.all(this.running);
  }

  clean(grace: number, status: 'completed' | 'failed'): Promise<unknown[]> {
    const cutoff = Date.now() - grace;
    const removed: JobId[] = [];
    for (const [key, job] of this.jobs) {
      if (job.state === status && (job.finishedOn ?? 0) < cutoff) {
        this.jobs.delete(key);
        removed.push(job.id);
      }
    }
    return Promise.resolve(removed);
  }

  /** As Bull's: a second call returns the first one's promise, whatever it asks. */
  close(doNotWaitJobs = false): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const repeat of this.repeats.values()) if (repeat.timer) clearTimeout(repeat.timer);
    this.timers.clear();
    this.closing = doNotWaitJobs ? Promise.resolve() : Promise.all(this.running).then(() => undefined);
    return this.closing;
  }

  private addRepeatable(name: string, data: unknown, opts: JobOptions, cron: string): { id: JobId } {
    const key = `${name}:${opts.jobId ?? ''}:${cron}`;
    if (!this.repeats.has(key)) {
      const repeat = { name, cron, timer: null as NodeJS.Timeout | null };
      this.repeats.set(key, repeat);
      const schedule = (): void => {
        if (this.closed || this.repeats.get(key) !== repeat) return;
        const delay = Math.max(0, parseExpression(cron).next().getTime() - Date.now());
        // A run more than the longest timer away (a monthly or yearly cron) is waited for in steps: one timer for
        // all of it would fire after 1 ms, and every following one too.
        if (delay > MAX_TIMER_MS) {
          repeat.timer = setTimeout(schedule, MAX_TIMER_MS);
          repeat.timer.unref();
          return;
        }
        repeat.timer = setTimeout(() => {
          const { repeat: _repeat, jobId: _jobId, ...once } = opts;
          void this.add(name, data, once);
          schedule();
        }, delay);
        repeat.timer.unref();
      };
      schedule();
    }
    return { id: `repeat:${key}` };
  }

  private enqueue(job: InProcessJob): void {
    job.state = 'waiting';
    this.waiting.push(job);
    this.drain();
  }

  private later(job: InProcessJob, delay: number): void {
    job.state = 'delayed';
    // A delay past the longest timer (a long backoff, doubled at each attempt) is waited for in steps.
    const step = timerDelay(delay);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (delay > step) this.later(job, delay - step);
      else this.enqueue(job);
    }, step);
    timer.unref();
    this.timers.add(timer);
  }

  private drain(): void {
    for (let i = 0; i < this.waiting.length && !this.closed && !this.paused;) {
      const job = this.waiting[i];
      const processor = this.handlers.get(job.name) ?? this.handlers.get('*');
      if (!processor || processor.active >= processor.concurrency) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      processor.active++;
      const running: Promise<void> = this.run(job, processor).finally(() => {
        processor.active--;
        this.running.delete(running);
        this.drain();
      });
      this.running.add(running);
    }
  }

  private async run(job: InProcessJob, processor: { handler: Handler }): Promise<void> {
    job.state = 'active';
    job.processedOn = Date.now();
    try {
      job.returnvalue = await processor.handler(job);
      job.state = 'completed';
      job.finishedOn = Date.now();
      this.trim('completed', job.opts.removeOnComplete);
    } catch (error) {
      job.attemptsMade++;
      job.failedReason = error instanceof Error ? error.message : String(error);
      const attempts = job.opts.attempts ?? 1;
      if (!job.discarded && job.attemptsMade < attempts) {
        const backoff = job.opts.backoff;
        const base = typeof backoff === 'number' ? backoff : (backoff?.delay ?? 0);
        const exponential = typeof backoff === 'object' && backoff.type === 'exponential';
        this.later(job, exponential ? base * 2 ** (job.attemptsMade - 1) : base);
        return;
      }
      job.state = 'failed';
      job.finishedOn = Date.now();
      this.logger.warn(`job ${job.name}#${String(job.id)} failed for good: ${job.failedReason}`);
      this.trim('failed', job.opts.removeOnFail);
    }
  }

  /** `removeOnComplete` / `removeOnFail` as Bull reads them: true removes, a number keeps that many. */
  private trim(state: 'completed' | 'failed', keep: boolean | number | { count?: number } | undefined): void {
    if (keep === undefined || keep === false) return;
    const limit = keep === true ? 0 : typeof keep === 'number' ? keep : (keep.count ?? Infinity);
    const finished = [...this.jobs.values()].filter((job) => job.state === state);
    for (const job of finished.slice(0, Math.max(0, finished.length - limit))) this.jobs.delete(String(job.id));
  }
}
