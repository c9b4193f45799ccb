import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { ConversationRepository } from './conversation.repository';

/** `combot_conversations`: stored conversations by arm and status, read from PostgreSQL at scrape time. */
@Injectable()
export class ConversationMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly conversations: ConversationRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      MetricName.Conversations,
      'Stored conversations by arm and status (read from PostgreSQL at scrape time).',
      ['brand', 'think_level', 'feel_level', 'status'],
      async (set) => {
        for (const { count, ...arm } of await this.conversations.countByArmAndStatus()) set(arm, count);
      },
      'max',
    );
  }
}
