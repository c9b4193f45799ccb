import type { JobId, JobOptions } from 'bull';

export type JobState = 'waiting' | 'active' | 'completed' | 'failed' | 'delayed' | 'paused' | 'stuck';

/** The part of a Bull job the service reads; the in-process queue's jobs have the same shape. */
export interface JobLike {
  id: JobId;
  name: string;
  data: unknown;
  attemptsMade: number;
  returnvalue: unknown;
  failedReason?: string;
  timestamp: number;
  processedOn?: number;
  finishedOn?: number;
  opts: JobOptions;
  progress(): unknown;
  getState(): Promise<string>;
  discard(): void;
}

export interface JobCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

/**
 * The part of Bull's `Queue` the service uses. Bull's queues satisfy it as they are; `InProcessQueue`
 * implements it for the zero-service mode, so producers and processors never know which runs.
 */
export interface JobQueue {
  readonly name: string;
  add(name: string, data: unknown, opts?: JobOptions): Promise<{ id: JobId }>;
  getJob(id: JobId): Promise<JobLike | null>;
  getJobCounts(): Promise<JobCounts>;
  /** Attaches a processor; the promise settles when processing stops (Bull: when the queue closes). */
  process(name: string, concurrency: number, handler: (job: JobLike) => Promise<unknown>): Promise<void>;
  getRepeatableJobs(): Promise<{ key: string; name: string; cron?: string | null }[]>;
  /** Removes a repeatable schedule (a `key` from `getRepeatableJobs`) and its next run. */
  removeRepeatableByKey(key: string): Promise<void>;
  /**
   * `isLocal`: this process takes no new job (others still do); resolves once its active jobs have finished,
   * at once with `doNotWaitActive`.
   */
  pause(isLocal?: boolean, doNotWaitActive?: boolean): Promise<void>;
  getWorkers(): Promise<unknown[]>;
  clean(grace: number, status: 'completed' | 'failed'): Promise<unknown[]>;
  /** Stops processing and releases the backend; waits for the active jobs unless `doNotWaitJobs`. */
  close(doNotWaitJobs?: boolean): Promise<void>;
}
