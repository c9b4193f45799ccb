import { AppConfig } from '../config/app-config';
import type { ResultCache } from '../cache/result-cache';
import type { MetricsService } from '../metrics/metrics.service';
import { ClassificationService } from './classification.service';
import { InferenceAbandoned, type InferenceRunner, type LabelScores } from './ml.types';
import type { ModelPool } from './model-pool';
import { Semaphore } from './semaphore';

const SCORES: LabelScores = { A: 0.7, B: 0.1, C: 0.1, Other: 0.1 };

/** A runner whose inferences finish only when the test says so, recording the texts it was given. */
class GatedRunner implements InferenceRunner {
  readonly revision = 'r1';
  readonly workers = 1;
  readonly stats = { inferences: 0, texts: 0, totalMs: 0 };
  readonly calls: string[][] = [];
  private readonly gates: (() => void)[] = [];

  classify(texts: string[], signal?: AbortSignal): Promise<LabelScores[]> {
    this.calls.push(texts);
    return new Promise((resolve, reject) => {
      // Like the worker pool: texts still waiting for a worker leave the line when the signal aborts.
      signal?.addEventListener('abort', () => reject(new InferenceAbandoned()), { once: true });
      this.gates.push(() => resolve(texts.map(() => SCORES)));
    });
  }

  finishAll(): void {
    for (const open of this.gates.splice(0)) open();
  }

  async dispose(): Promise<void> {}
}

function service(runner: GatedRunner, semaphoreLimit = 1): { classification: ClassificationService; gate: Semaphore } {
  const config = new AppConfig({ MAX_CONCURRENT_ML_OPERATIONS: String(semaphoreLimit), ML_COALESCE: 'true' });
  const gate = new Semaphore(config);
  const model = {
    ref: { id: 'm', revision: 'main' },
    revision: 'r1',
    runner,
    loadedAt: new Date(),
    loadMs: 0,
    lastUsedAt: 0,
  };
  const pool = { get: () => Promise.resolve(model) } as unknown as ModelPool;
  const cache = { get: () => Promise.resolve(undefined), set: () => Promise.resolve() } as unknown as ResultCache;
  const metrics = { mlCoalesced: { inc: () => undefined } } as unknown as MetricsService;
  return { classification: new ClassificationService(config, pool, gate, cache, metrics), gate };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ClassificationService when clients leave', () => {
  it('drops a queued inference whose only client left, and still runs the others', async () => {
    const runner = new GatedRunner();
    const { classification, gate } = service(runner);
    const first = classification.classify('first text');
    await tick();
    const leaving = new AbortController();
    const gone = classification.classify('second text', leaving.signal);
    const third = classification.classify('third text');
    await tick();
    expect(gate.waitingCount).toBe(2);

    leaving.abort();
    await expect(gone).rejects.toMatchObject({ code: 'HTTP.CLIENT_CLOSED_REQUEST' });
    expect(gate.waitingCount).toBe(1);
    expect(gate.stats.abandoned).toBe(1);

    runner.finishAll();
    await first;
    await tick();
    runner.finishAll();
    await expect(third).resolves.toMatchObject({ label: 'A' });
    expect(runner.calls).toEqual([['first text'], ['third text']]);
  });

  it('keeps a coalesced inference while anyone joined to it is still waiting', async () => {
    const runner = new GatedRunner();
    const { classification, gate } = service(runner);
    const blocker = classification.classify('blocker');
    await tick();
    const owner = new AbortController();
    const ownerResult = classification.classify('shared text', owner.signal);
    await tick();
    const joiner = classification.classify('shared text');
    await tick();

    owner.abort();
    await tick();
    expect(gate.waitingCount).toBe(1); // the joiner still wants the result

    runner.finishAll();
    await blocker;
    await tick();
    runner.finishAll();
    await expect(joiner).resolves.toMatchObject({ label: 'A' });
    await expect(ownerResult).resolves.toMatchObject({ label: 'A' });
    expect(runner.calls).toEqual([['blocker'], ['shared text']]);
  });

  it('takes texts already handed to the runner out of its line when their only client leaves', async () => {
    const runner = new GatedRunner();
    const { classification } = service(runner, 4);
    const leaving = new AbortController();
    const gone = classification.classify('queued in the runner', leaving.signal);
    await tick();
    expect(runner.calls).toEqual([['queued in the runner']]);
    leaving.abort();
    await expect(gone).rejects.toMatchObject({ code: 'HTTP.CLIENT_CLOSED_REQUEST' });
  });

  it('does not join a late request to an inference everyone else has left', async () => {
    const runner = new GatedRunner();
    const { classification } = service(runner);
    const blocker = classification.classify('blocker');
    await tick();
    const owner = new AbortController();
    const gone = classification.classify('shared text', owner.signal);
    await tick();
    owner.abort();
    const late = classification.classify('shared text');
    await expect(gone).rejects.toMatchObject({ code: 'HTTP.CLIENT_CLOSED_REQUEST' });
    runner.finishAll();
    await blocker;
    await tick();
    runner.finishAll();
    await expect(late).resolves.toMatchObject({ label: 'A', cached: false });
  });

  it('drops the shared inference once the owner and every joiner have left', async () => {
    const runner = new GatedRunner();
    const { classification, gate } = service(runner);
    const blocker = classification.classify('blocker');
    await tick();
    const owner = new AbortController();
    const joiner = new AbortController();
    const results = [
      classification.classify('shared text', owner.signal),
      classification.classify('shared text', joiner.signal),
    ];
    await tick();
    owner.abort();
    joiner.abort();
    await Promise.all(
      results.map((result) => expect(result).rejects.toMatchObject({ code: 'HTTP.CLIENT_CLOSED_REQUEST' })),
    );
    expect(gate.waitingCount).toBe(0);

    runner.finishAll();
    await blocker;
    expect(runner.calls).toEqual([['blocker']]);
  });
});
