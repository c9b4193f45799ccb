import type { ModuleRef } from '@nestjs/core';
import { InProcessQueue } from './in-process-queue';
import { QueueLifecycle } from './queue.module';

describe('QueueLifecycle', () => {
  /** Every queue token resolves to `queue`: enough to see what shutdown waits for. */
  const lifecycle = (queue: InProcessQueue, waitMs: number): QueueLifecycle =>
    new QueueLifecycle({ get: () => queue } as unknown as ModuleRef, null, waitMs);

  const started = async (queue: InProcessQueue, job: () => Promise<unknown>): Promise<void> => {
    let began: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (began = resolve));
    void queue.process('work', 1, () => {
      began();
      return job();
    });
    await queue.add('work', {});
    await running;
  };

  it('waits for a job in progress to finish before it closes', async () => {
    const queue = new InProcessQueue('test');
    let finished = false;
    await started(queue, () => new Promise((resolve) => setTimeout(() => resolve((finished = true)), 50)));
    await lifecycle(queue, 5_000).onApplicationShutdown();
    expect(finished).toBe(true);
  });

  it('closes without waiting past its bound for a job that never ends', async () => {
    const queue = new InProcessQueue('test');
    await started(queue, () => new Promise(() => undefined));
    const before = Date.now();
    await lifecycle(queue, 100).onApplicationShutdown();
    expect(Date.now() - before).toBeLessThan(2_000);
  });
});
