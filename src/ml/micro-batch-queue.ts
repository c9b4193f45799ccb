/** Micro-batching settings (`ML_MICRO_BATCH_*`); `max` 1 turns it off. */
export interface MicroBatchOptions {
  /** Most texts in one worker message (one session run); 1 = off: one task per message, FIFO. */
  max: number;
  /** How long a free worker may wait for more texts while fewer than `max` are queued. */
  waitMs: number;
  /** From this age on a task is taken in arrival order, ahead of any length grouping. */
  maxAgeMs: number;
}

export const MICRO_BATCH_OFF: MicroBatchOptions = { max: 1, waitMs: 0, maxAgeMs: 0 };

export interface BatchableTask {
  readonly texts: readonly string[];
}

interface Entry<T> {
  task: T;
  texts: number;
  /** Padding follows the longest text, so a task's length is its longest text's character count. */
  length: number;
  enqueuedAt: number;
  /** Arrival number: the tie-break among equally close lengths. */
  seq: number;
}

/**
 * The inference queue's policy, without workers: which queued tasks go to the next free worker.
 *
 * Off (`max` 1): FIFO, one task per message, exactly as before micro-batching existed.
 * On: the oldest task always leads the batch. Tasks past `maxAgeMs` (a prefix of the arrival order)
 * follow it oldest first; the rest of the room, up to `max` texts, goes to the tasks whose length is
 * closest to the leader's, since similar lengths waste less padding. Tasks are never split: one that
 * does not fit waits for a later batch, and one with more than `max` texts goes alone. While fewer
 * than `max` texts are queued and the oldest is younger than `waitMs`, `take()` answers null and an
 * unref'd timer calls `onWake` when the wait is over.
 */
export class MicroBatchQueue<T extends BatchableTask> {
  private entries: Entry<T>[] = [];
  private queuedTexts = 0;
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: MicroBatchOptions,
    private readonly onWake: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.options.max > 1;
  }

  /** Tasks queued. */
  get size(): number {
    return this.entries.length;
  }

  push(task: T): void {
    const length = task.texts.reduce((longest, text) => Math.max(longest, text.length), 0);
    this.entries.push({ task, texts: task.texts.length, length, enqueuedAt: this.now(), seq: this.seq++ });
    this.queuedTexts += task.texts.length;
  }

  /** The next batch for a free worker, or null: nothing queued, or waiting for the batch to fill. */
  take(): T[] | null {
    const oldest = this.entries[0];
    if (!oldest) {
      this.cancelWake();
      return null;
    }
    if (!this.enabled) return [this.removeAt([0])[0]];
    const age = this.now() - oldest.enqueuedAt;
    if (this.queuedTexts < this.options.max && age < this.options.waitMs) {
      this.armWake(this.options.waitMs - age);
      return null;
    }
    this.cancelWake();
    return this.removeAt(this.select());
  }

  /** Takes one task out before it was dispatched (its client left); false when it is no longer queued. */
  remove(task: T): boolean {
    const index = this.entries.findIndex((entry) => entry.task === task);
    if (index < 0) return false;
    this.removeAt([index]);
    if (this.entries.length === 0) this.cancelWake();
    return true;
  }

  /** Empties the queue (model unloaded): the caller rejects what it gets back. */
  clear(): T[] {
    this.cancelWake();
    const tasks = this.entries.map((entry) => entry.task);
    this.entries = [];
    this.queuedTexts = 0;
    return tasks;
  }

  /** Indexes into `entries`, in batch order. */
  private select(): number[] {
    const { max, maxAgeMs } = this.options;
    const now = this.now();
    const leader = this.entries[0];
    const chosen = [0];
    let room = max - leader.texts;
    let index = 1;
    // Ages fall along the arrival order, so the overdue tasks are the ones right behind the leader.
    for (; room > 0 && index < this.entries.length && now - this.entries[index].enqueuedAt >= maxAgeMs; index++) {
      const entry = this.entries[index];
      // It leads the next batch instead; nothing younger may pass it.
      if (entry.texts > room) return chosen;
      chosen.push(index);
      room -= entry.texts;
    }
    if (room <= 0) return chosen;
    const byCloseness = this.entries
      .map((entry, position) => ({ entry, position }))
      .slice(index)
      .sort(
        (a, b) =>
          Math.abs(a.entry.length - leader.length) - Math.abs(b.entry.length - leader.length) ||
          a.entry.seq - b.entry.seq,
      );
    for (const { entry, position } of byCloseness) {
      if (room === 0) break;
      if (entry.texts > room) continue;
      chosen.push(position);
      room -= entry.texts;
    }
    return chosen;
  }

  private removeAt(indexes: number[]): T[] {
    const taken = new Set(indexes);
    const batch = indexes.map((index) => this.entries[index].task);
    this.entries = this.entries.filter((_, index) => !taken.has(index));
    this.queuedTexts -= batch.reduce((total, task) => total + task.texts.length, 0);
    return batch;
  }

  private armWake(delayMs: number): void {
    if (this.timer) return;
    // Rounded up: a timer that fires early finds the wait not yet over and simply re-arms.
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.onWake();
      },
      Math.max(1, Math.ceil(delayMs)),
    );
    this.timer.unref();
  }

  private cancelWake(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
  }
}

/** One session run's scores, handed back to the batch's tasks in order, as many as each sent texts. */
export function splitResults<R>(batch: readonly BatchableTask[], results: readonly R[]): R[][] {
  const expected = batch.reduce((total, task) => total + task.texts.length, 0);
  if (results.length !== expected) throw new Error(`expected ${expected} results for the batch, got ${results.length}`);
  let offset = 0;
  return batch.map((task) => results.slice(offset, (offset += task.texts.length)));
}
