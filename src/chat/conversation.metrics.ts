import { Injectable, OnModuleInit } from '@nestjs/common';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { ConversationOrigin, ConversationStatus } from './chat.types';
import { type ArmStatusCount, ConversationRepository } from './conversation.repository';

type ArmCounts = ArmStatusCount[];

/** One scrape reads both gauges: the second within this many ms reuses the first's answer. */
const SHARED_READ_MS = 1_000;

/**
 * Stored conversations, read from PostgreSQL at scrape time: `combot_conversations` by status and origin (the
 * origin keeps a load test's conversations, no_greeting, apart from the participants'), and
 * `combot_conversations_by_arm` with the arm too, which only a scrape with a key gets (RESEARCH_DATA_METRICS).
 */
@Injectable()
export class ConversationMetrics implements OnModuleInit {
  private read: { at: number; counts: Promise<ArmCounts> } | null = null;

  constructor(
    private readonly metrics: MetricsService,
    private readonly conversations: ConversationRepository,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      MetricName.Conversations,
      'Stored conversations by status and origin (read from PostgreSQL at scrape time).',
      ['status', 'origin'],
      async (set) => {
        // Every status and origin is a series, 0 when none is stored: a series that vanished would read as "no
        // data" in Grafana and leave an alert on it (`in_progress` stuck, say) without a value to judge.
        const totals = new Map<string, { status: string; origin: string; count: number }>();
        for (const status of Object.values(ConversationStatus)) {
          for (const origin of Object.values(ConversationOrigin)) {
            totals.set(`${status}\u0000${origin}`, { status, origin, count: 0 });
          }
        }
        for (const { status, origin, count } of await this.counts()) {
          const key = `${status}\u0000${origin}`;
          const total = totals.get(key) ?? { status, origin, count: 0 };
          total.count += count;
          totals.set(key, total);
        }
        for (const { count, ...labels } of totals.values()) set(labels, count);
      },
      'max',
    );
    this.metrics.gauge(
      MetricName.ConversationsByArm,
      'Stored conversations by arm, status and origin (read from PostgreSQL at scrape time; only with a key).',
      ['brand', 'think_level', 'feel_level', 'status', 'origin'],
      async (set) => {
        for (const { count, ...arm } of await this.counts()) set(arm, count);
      },
      'max',
    );
  }

  private counts(): Promise<ArmCounts> {
    const now = Date.now();
    if (!this.read || now - this.read.at > SHARED_READ_MS) {
      const read = { at: now, counts: this.conversations.countByArmStatusAndOrigin() };
      this.read = read;
      // A failed read is not reused: the next scrape asks again.
      read.counts.catch(() => {
        if (this.read === read) this.read = null;
      });
    }
    return this.read.counts;
  }
}
