import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobName, QueueName } from '../queue/queue-names';
import { QueueWorker } from '../queue/queue-worker';
import { ConversationRepository } from './conversation.repository';
import { ParticipantDataService } from './participant-data.service';

/**
 * `maintenance:abandon-conversations`: marks in-progress conversations idle past CONVERSATION_TTL abandoned.
 * `maintenance:data-retention`: ages participant data out after DATA_RETENTION_DAYS (scheduled only when set).
 */
@Injectable()
export class ConversationMaintenanceProcessor implements OnModuleInit {
  private readonly logger = new Logger(ConversationMaintenanceProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly conversations: ConversationRepository,
    private readonly worker: QueueWorker,
    private readonly participants: ParticipantDataService,
  ) {}

  onModuleInit(): void {
    this.worker.register({
      queue: QueueName.Maintenance,
      job: JobName.AbandonConversations,
      concurrency: 1,
      cron: this.config.queue.abandonCron,
      handle: () => this.abandonStale(),
    });
    this.worker.register({
      queue: QueueName.Maintenance,
      job: JobName.DataRetention,
      concurrency: 1,
      // Registered either way, so a schedule left in Redis from when retention was on finds a processor (a no-op).
      cron: this.config.participantData.retentionDays === null ? undefined : this.config.queue.dataRetentionCron,
      handle: async () => (await this.participants.applyRetention()) ?? { retention: 'off' },
    });
  }

  /** Idempotent: running it twice marks nothing twice. */
  async abandonStale(): Promise<{ abandoned: number }> {
    const abandoned = await this.conversations.abandonStale(this.config.queue.conversationTtlSeconds);
    if (abandoned > 0) this.logger.log(`marked ${abandoned} idle conversation(s) abandoned`);
    return { abandoned };
  }
}
