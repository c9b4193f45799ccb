import { MetricsService } from './metrics.service';

describe('MetricsService gauges read at scrape time', () => {
  let metrics: MetricsService;

  beforeEach(() => {
    metrics = new MetricsService();
  });

  afterEach(() => metrics.onModuleDestroy());

  it('leaves out a gauge whose source fails, and answers the rest of the scrape', async () => {
    metrics.gauge('combot_test_failing', 'A source that is down.', ['status'], () =>
      Promise.reject(new Error('db down')),
    );
    metrics.gauge('combot_test_fine', 'A source that answers.', ['status'], (set) => set({ status: 'ok' }, 7));
    const text = await metrics.scrape();
    expect(text).toContain('combot_test_fine{status="ok"} 7');
    expect(text).not.toMatch(/^combot_test_failing\{/m);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('leaves out a gauge whose source does not answer within a second, and answers without waiting for it', async () => {
    let late: () => void = () => undefined;
    metrics.gauge(
      'combot_test_hanging',
      'A source that is frozen.',
      ['status'],
      (set) =>
        new Promise<void>((resolve) => {
          late = () => {
            set({ status: 'late' }, 1);
            resolve();
          };
        }),
    );
    const started = Date.now();
    const text = await metrics.scrape();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(text).not.toMatch(/^combot_test_hanging\{/m);
    late();
  });
});
