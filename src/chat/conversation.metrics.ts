import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { ConversationRepository } from './conversation.repository';

/**
 * `combot_conversations`: stored conversations by arm, status and origin, read from PostgreSQL at scrape time. The
 * origin keeps a load test's conversations (no_greeting) apart from the participants' on a dashboard.
 */
@Injectable()
export class ConversationMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly conversations: ConversationRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      MetricName.Conversations,
      'Stored conversations by arm, status and origin (read from PostgreSQL at scrape time).',
      ['brand', 'think_level', 'feel_level', 'status', 'origin'],
      async (set) => {
        for (const { count, ...arm } of await this.conversations.countByArmStatusAndOrigin()) set(arm, count);
      },
      'max',
    );
  }
}
