import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { InferenceAbandoned, LABELS, type Label, type LabelScores } from './ml.types';
import type { RuntimeOptions } from './model-runtime';
import { WorkerPoolRunner } from './worker-pool.runner';

/** The shipped model (a few MB, loads in well under a second), in worker threads as the service runs it. */
const MODEL = { id: 'combot-complaint-classifier', revision: 'main' };
const OPTIONS: RuntimeOptions = {
  modelsDir: path.resolve(__dirname, '..', '..', 'models'),
  allowRemoteModels: false,
  intraOpThreads: 1,
  maxTokens: 128,
};
const TEXTS: { text: string; label: Label }[] = [
  { text: 'My parcel never arrived and the tracking has not moved for two weeks.', label: 'B' },
  { text: 'The blender I bought stopped working after one day.', label: 'A' },
  { text: 'The cashier shouted at me and refused to help.', label: 'C' },
  { text: 'The courier delivered my order to the wrong address.', label: 'B' },
  { text: 'The screen of my new phone cracked on its own.', label: 'A' },
];
/** Long enough that a worker is still busy with it when the test acts. */
const SLOW_BATCH = Array.from(
  { length: 400 },
  (_, i) => `Complaint ${i}: ${TEXTS[i % TEXTS.length].text} ${'I am very unhappy about all of this. '.repeat(6)}`,
);

const labelOf = (scores: LabelScores): Label =>
  LABELS.reduce((best, label) => (scores[label] > scores[best] ? label : best));

/** The pool's workers, reached past its private API for the crash test only. */
const workersOf = (runner: WorkerPoolRunner): Worker[] =>
  (runner as unknown as { slots: { worker: Worker }[] }).slots.map((slot) => slot.worker);

/** Settles `promise` into a record, so order and outcome can be asserted after the fact. */
function track<T>(promise: Promise<T>, events: string[], name: string): Promise<T> {
  return promise.then(
    (value) => {
      events.push(`${name} resolved`);
      return value;
    },
    (error: unknown) => {
      events.push(`${name} rejected`);
      throw error;
    },
  );
}

// Each test starts worker threads that load the model (about a second under ts-node); a busy machine may take longer.
jest.setTimeout(30_000);

describe('WorkerPoolRunner (shipped model)', () => {
  const runners: WorkerPoolRunner[] = [];
  const start = async (size: number, options: Partial<RuntimeOptions> = {}): Promise<WorkerPoolRunner> => {
    const runner = await WorkerPoolRunner.start(MODEL, { ...OPTIONS, ...options }, size);
    runners.push(runner);
    return runner;
  };

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.dispose()));
  });

  it('answers a batch in the order of its texts, and concurrent calls each with their own', async () => {
    const runner = await start(2);
    expect(runner.workers).toBe(2);
    expect(runner.revision).toMatch(/^[0-9a-f]{12}$/);

    const batch = await runner.classify(TEXTS.map((row) => row.text));
    expect(batch.map(labelOf)).toEqual(TEXTS.map((row) => row.label));
    for (const scores of batch) {
      expect(LABELS.reduce((sum, label) => sum + scores[label], 0)).toBeCloseTo(1, 5);
    }

    const single = await Promise.all(TEXTS.map((row) => runner.classify([row.text])));
    expect(single.map((scores) => scores.length)).toEqual(TEXTS.map(() => 1));
    single.forEach(([scores], i) => {
      for (const label of LABELS) expect(scores[label]).toBeCloseTo(batch[i][label], 4);
    });
    expect(runner.stats).toMatchObject({ inferences: 1 + TEXTS.length, texts: 2 * TEXTS.length });
  });

  it('never runs a task whose signal aborts while it waits in line, and rejects it with InferenceAbandoned', async () => {
    // One worker holding one message: the second task waits in the pool's own line.
    const runner = await start(1, { pipelineDepth: 1 });
    const events: string[] = [];
    const leaving = new AbortController();
    const running = track(runner.classify(SLOW_BATCH), events, 'running');
    const queued = track(runner.classify([TEXTS[0].text], leaving.signal), events, 'queued');
    leaving.abort();
    await expect(queued).rejects.toBeInstanceOf(InferenceAbandoned);
    expect(events).toEqual(['queued rejected']);
    await expect(running).resolves.toHaveLength(SLOW_BATCH.length);
    expect(runner.stats).toMatchObject({ inferences: 1, texts: SLOW_BATCH.length });

    // Aborting once a worker has the task changes nothing; an already aborted signal never queues.
    const late = new AbortController();
    const taken = runner.classify([TEXTS[1].text], late.signal);
    late.abort();
    await expect(taken).resolves.toHaveLength(1);
    await expect(runner.classify([TEXTS[2].text], late.signal)).rejects.toBeInstanceOf(InferenceAbandoned);
    expect(runner.stats).toMatchObject({ inferences: 2, texts: SLOW_BATCH.length + 1 });
  });

  it('fails the tasks of a worker that dies, replaces it, and runs later tasks on the replacement', async () => {
    const runner = await start(1);
    const [doomed] = workersOf(runner);
    const doomedThread = doomed.threadId;
    // Default pipeline depth 2: both tasks are with the worker when it dies; the third waits in line.
    const inFlight = [runner.classify(SLOW_BATCH), runner.classify([TEXTS[0].text])];
    const queued = runner.classify([TEXTS[2].text]);
    await doomed.terminate();

    for (const task of inFlight) await expect(task).rejects.toThrow(/inference worker exited with code 1/);
    const [scores] = await queued;
    expect(labelOf(scores)).toBe('C');
    expect(runner.workers).toBe(1);
    const [replacement] = workersOf(runner);
    expect(replacement).not.toBe(doomed);
    expect(replacement.threadId).not.toBe(doomedThread);
    await expect(runner.classify([TEXTS[1].text])).resolves.toHaveLength(1);
  });

  it('dispose() waits for the work in progress and in line, then frees the workers and refuses new work', async () => {
    const runner = await start(1, { pipelineDepth: 1 });
    const [worker] = workersOf(runner);
    const events: string[] = [];
    const running = track(runner.classify(SLOW_BATCH), events, 'running');
    const queued = track(runner.classify([TEXTS[0].text]), events, 'queued');
    const disposed = track(runner.dispose(), events, 'dispose');

    await expect(runner.classify([TEXTS[1].text])).rejects.toThrow(/being unloaded/);
    await disposed;
    expect(events).toEqual(['running resolved', 'queued resolved', 'dispose resolved']);
    await expect(running).resolves.toHaveLength(SLOW_BATCH.length);
    await expect(queued).resolves.toHaveLength(1);
    expect(runner.workers).toBe(0);
    expect(worker.threadId).toBe(-1);
    await expect(runner.classify([TEXTS[1].text])).rejects.toThrow(/being unloaded/);
  });
});
