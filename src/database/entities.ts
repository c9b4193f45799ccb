import { ConditionSlotEntity } from '../chat/condition-slot.entity';
import { ConversationTurnEntity } from '../chat/conversation-turn.entity';
import { ConversationEntity } from '../chat/conversation.entity';
import { MetricsSnapshotEntity } from '../metrics/metrics-snapshot.entity';

/** Every entity, listed once for the app and the migration CLI. */
export const ENTITIES = [ConversationEntity, ConversationTurnEntity, ConditionSlotEntity, MetricsSnapshotEntity];
