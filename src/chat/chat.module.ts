import { Module, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseModule } from '../database/database.module';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { MlModule } from '../ml/ml.module';
import { AdminController } from './admin.controller';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConditionAllocator } from './condition-allocator';
import { ConversationExportService } from './conversation-export.service';
import { ConversationRepository } from './conversation.repository';
import { LlmClient } from './llm.client';
import { StudyContent } from './study-content.provider';

/** The Combot conversation API: flow, balanced conditions, study content, optional LLM, storage. */
@Module({
  imports: [DatabaseModule, MlModule],
  controllers: [ChatController, AdminController],
  providers: [
    ChatService,
    ConversationRepository,
    ConditionAllocator,
    StudyContent,
    LlmClient,
    ConversationExportService,
  ],
  exports: [ConversationRepository, StudyContent, ConversationExportService],
})
export class ChatModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      MetricName.Conversations,
      'Stored conversations by arm and status (read from PostgreSQL at scrape time).',
      ['brand', 'think_level', 'feel_level', 'status'],
      async (set) => {
        const rows = await this.dataSource.query<
          { brand: string; think_level: string; feel_level: string; status: string; count: string }[]
        >('SELECT brand, think_level, feel_level, status, count(*) AS count FROM conversation GROUP BY 1, 2, 3, 4');
        for (const row of rows) {
          set(
            { brand: row.brand, think_level: row.think_level, feel_level: row.feel_level, status: row.status },
            Number(row.count),
          );
        }
      },
    );
  }
}
