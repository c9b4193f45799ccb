import { AppConfig } from '../config/app-config';
import { InferenceRunnerFactory } from './inference-runner.factory';
import type { InferenceRunner, ModelRef } from './ml.types';
import { MODEL_RELOAD_BACKOFF_MS, ModelPool } from './model-pool';

class FakeRunner implements InferenceRunner {
  readonly workers = 1;
  readonly stats = { inferences: 0, texts: 0, totalMs: 0 };
  disposed = false;
  constructor(readonly revision: string) {}
  classify() {
    return Promise.resolve([{ A: 1, B: 0, C: 0, Other: 0 }]);
  }
  dispose() {
    this.disposed = true;
    return Promise.resolve();
  }
}

function setup(maxModels = 2) {
  const started: Record<string, FakeRunner[]> = {};
  let failNext = false;
  const release: (() => void)[] = [];
  let gated = false;
  const factory = {
    start: jest.fn(async (ref: ModelRef) => {
      if (gated) await new Promise<void>((resolve) => release.push(resolve));
      if (failNext) {
        failNext = false;
        throw new Error('onnx file missing');
      }
      const runner = new FakeRunner(`rev-${ref.id}`);
      (started[ref.id] ??= []).push(runner);
      return runner;
    }),
  } as unknown as InferenceRunnerFactory & { start: jest.Mock };
  const pool = new ModelPool(new AppConfig({ ML_MAX_MODELS: String(maxModels), ML_MODEL_ID: 'a' }), factory);
  return {
    pool,
    factory,
    started,
    failOnce: () => (failNext = true),
    gate: () => (gated = true),
    open: () => {
      gated = false;
      release.splice(0).forEach((resolve) => resolve());
    },
  };
}

const ref = (id: string): ModelRef => ({ id, revision: 'main' });

describe('ModelPool', () => {
  it('keeps at most ML_MAX_MODELS, evicting the least recently used and releasing its sessions', async () => {
    const { pool, started } = setup(2);
    await pool.get(ref('a'));
    await pool.get(ref('b'));
    await pool.get(ref('a')); // a is now the most recent
    await pool.get(ref('c')); // evicts b
    expect(pool.status().loaded.map((m) => m.id)).toEqual(['a', 'c']);
    expect(started.b[0].disposed).toBe(true);
    expect(started.a[0].disposed).toBe(false);
  });

  it('shares one load between concurrent requests for the same model', async () => {
    const { pool, factory, gate, open } = setup();
    gate();
    const requests = Array.from({ length: 5 }, () => pool.get(ref('a')));
    await Promise.resolve();
    expect(pool.status().loading).toEqual(['a@main']);
    open();
    const models = await Promise.all(requests);
    expect(factory.start).toHaveBeenCalledTimes(1);
    expect(new Set(models).size).toBe(1);
    expect(models[0].revision).toBe('rev-a');
  });

  it('turns a failed load into ML.MODEL_LOAD_FAILED and retries on the next request', async () => {
    const { pool, factory, failOnce } = setup();
    failOnce();
    await expect(pool.get(ref('a'))).rejects.toMatchObject({ code: 'ML.MODEL_LOAD_FAILED', retryable: true });
    expect(pool.status().lastError?.message).toContain('onnx file missing');
    await expect(pool.get(ref('a'))).resolves.toMatchObject({ revision: 'rev-a' });
    expect(factory.start).toHaveBeenCalledTimes(2);
  });

  it('retries a failed default model from the readiness check, at most once per backoff, with no request needed', async () => {
    const { pool, factory, failOnce } = setup();
    failOnce();
    const before = Date.now();
    await pool.preload();
    const failedBy = Date.now();
    expect(pool.isLoaded()).toBe(false);
    pool.retryDefaultLoad(before + MODEL_RELOAD_BACKOFF_MS - 1);
    expect(factory.start).toHaveBeenCalledTimes(1);
    pool.retryDefaultLoad(failedBy + MODEL_RELOAD_BACKOFF_MS);
    pool.retryDefaultLoad(failedBy + MODEL_RELOAD_BACKOFF_MS + 1); // the load under way is shared, not doubled
    expect(factory.start).toHaveBeenCalledTimes(2);
    await pool.get();
    expect(pool.isLoaded()).toBe(true);
    pool.retryDefaultLoad(failedBy + 10 * MODEL_RELOAD_BACKOFF_MS);
    expect(factory.start).toHaveBeenCalledTimes(2);
  });

  it('releases every model at shutdown', async () => {
    const { pool, started } = setup();
    await pool.get(ref('a'));
    await pool.get(ref('b'));
    await pool.onApplicationShutdown();
    expect(started.a[0].disposed && started.b[0].disposed).toBe(true);
    expect(pool.status().loaded).toEqual([]);
  });
});
