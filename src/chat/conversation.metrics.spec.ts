import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { ConversationMetrics } from './conversation.metrics';
import type { ArmStatusCount, ConversationRepository } from './conversation.repository';

describe('ConversationMetrics', () => {
  let metrics: MetricsService;
  afterEach(() => metrics.onModuleDestroy());

  it('reports every status and origin, 0 where none is stored, so a series never vanishes', async () => {
    metrics = new MetricsService();
    const stored: ArmStatusCount[] = [
      { brand: 'Lulu', think_level: 'High', feel_level: 'Low', status: 'completed', origin: 'greeting', count: 3 },
      { brand: 'Basic', think_level: 'Low', feel_level: 'Low', status: 'completed', origin: 'greeting', count: 2 },
    ];
    const repository = { countByArmStatusAndOrigin: () => Promise.resolve(stored) };
    new ConversationMetrics(metrics, repository as unknown as ConversationRepository).onModuleInit();
    const text = await metrics.registry.getSingleMetricAsString(MetricName.Conversations);
    const series = text.split('\n').filter((line) => line.startsWith(`${MetricName.Conversations}{`));
    expect(series).toHaveLength(6);
    expect(series).toContain(`${MetricName.Conversations}{status="completed",origin="greeting"} 5`);
    expect(series).toContain(`${MetricName.Conversations}{status="in_progress",origin="greeting"} 0`);
    expect(series).toContain(`${MetricName.Conversations}{status="abandoned",origin="no_greeting"} 0`);
  });
});
