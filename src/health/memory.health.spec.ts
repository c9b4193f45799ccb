import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { MemoryHealthIndicator } from './memory.health';

describe('MemoryHealthIndicator', () => {
  const MB = 1024 * 1024;
  let now = 0;
  let rss = 100 * MB;
  const build = (env: Record<string, string>) =>
    new MemoryHealthIndicator(new HealthIndicatorService(), new AppConfig({ HEALTH_RSS_LIMIT_MB: '200', ...env }), {
      now: () => now,
      memoryUsage: () => ({ heapUsed: 10 * MB, rss }),
    });
  const status = (result: Record<string, { status: string }>): string => result.memory.status;

  beforeEach(() => {
    now = 0;
    rss = 100 * MB;
  });

  it('fails readiness at once past a limit, and liveness only once it has stayed past it for the grace', () => {
    const memory = build({ HEALTH_MEMORY_LIVENESS_GRACE_MS: '60000' });
    expect([status(memory.check()), status(memory.liveness())]).toEqual(['up', 'up']);
    rss = 300 * MB;
    now = 1_000;
    expect([status(memory.check()), status(memory.liveness())]).toEqual(['down', 'up']);
    now = 60_999;
    expect(status(memory.liveness())).toBe('up');
    now = 61_000;
    expect(memory.liveness()).toEqual({
      memory: expect.objectContaining({ status: 'down', rssMb: 300, rssLimitMb: 200, overLimitForMs: 60_000 }),
    });
  });

  it('starts the grace again once memory came back under the limit', () => {
    const memory = build({ HEALTH_MEMORY_LIVENESS_GRACE_MS: '60000' });
    rss = 300 * MB;
    memory.check();
    now = 50_000;
    rss = 100 * MB;
    expect(status(memory.check())).toBe('up');
    rss = 300 * MB;
    now = 60_000;
    expect(status(memory.liveness())).toBe('up');
    now = 120_000;
    expect(status(memory.liveness())).toBe('down');
  });

  it('never fails liveness with a grace of 0', () => {
    const memory = build({ HEALTH_MEMORY_LIVENESS_GRACE_MS: '0' });
    rss = 300 * MB;
    memory.check();
    now = 10 * 3_600_000;
    expect(status(memory.liveness())).toBe('up');
  });

  it('gives a process 5 minutes past its limit by default', () => {
    expect(new AppConfig({}).health.memoryLivenessGraceMs).toBe(300_000);
  });
});
