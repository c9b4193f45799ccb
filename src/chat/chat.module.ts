import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MlModule } from '../ml/ml.module';
import { AdminAuditEntity } from './admin-audit.entity';
import { AdminAuditRepository } from './admin-audit.repository';
import { AdminController } from './admin.controller';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { ConditionAllocator } from './condition-allocator';
import { ConditionSlotEntity } from './condition-slot.entity';
import { ConditionSlotRepository } from './condition-slot.repository';
import { ConversationExportService } from './conversation-export.service';
import { ConversationMaintenanceProcessor } from './conversation-maintenance.processor';
import { ConversationTurnEntity } from './conversation-turn.entity';
import { ConversationEntity } from './conversation.entity';
import { ConversationMetrics } from './conversation.metrics';
import { ConversationRepository } from './conversation.repository';
import { LlmClient } from './llm.client';
import { ParticipantDataService } from './participant-data.service';
import { StudyContent } from './study-content.provider';
import { StudyVersionCheck } from './study-version.check';

/** The Combot conversation API: flow, balanced conditions, study content, optional LLM, storage, export. */
@Module({
  imports: [
    TypeOrmModule.forFeature([ConversationEntity, ConversationTurnEntity, ConditionSlotEntity, AdminAuditEntity]),
    MlModule,
  ],
  controllers: [ChatController, AdminController],
  providers: [
    ChatService,
    ConversationRepository,
    ConditionSlotRepository,
    AdminAuditRepository,
    ConditionAllocator,
    StudyContent,
    LlmClient,
    ConversationExportService,
    ConversationMaintenanceProcessor,
    ConversationMetrics,
    ParticipantDataService,
    StudyVersionCheck,
  ],
  exports: [ConversationExportService, ParticipantDataService, LlmClient, StudyContent],
})
export class ChatModule {}
