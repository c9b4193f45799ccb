import type { HealthIndicatorResult } from '@nestjs/terminus';
import { HealthService, type HealthReport } from './health.service';

describe('HealthService.describeDown', () => {
  const report = (down: string[]): HealthReport => {
    const error = Object.fromEntries(down.map((part) => [part, { status: 'down' }])) as HealthIndicatorResult;
    return { status: 'error', info: {}, error, details: error };
  };

  it('names what readiness needs as not ready, and an optional part (the study, Redis) only as degraded', () => {
    expect(HealthService.describeDown(report(['database', 'study']))).toBe('not ready: database; degraded: study');
    expect(HealthService.describeDown(report(['study', 'queues']))).toBe('degraded: study, queues');
    expect(HealthService.describeDown(report(['model', 'memory']))).toBe('not ready: model, memory');
  });
});
