import { DataSource } from 'typeorm';
import { AdminAuditEntity } from '../../src/chat/admin-audit.entity';
import { ConditionSlotEntity } from '../../src/chat/condition-slot.entity';
import { ConversationTurnEntity } from '../../src/chat/conversation-turn.entity';
import { ConversationEntity } from '../../src/chat/conversation.entity';
import { AppConfig } from '../../src/config/app-config';
import { typeormOptions } from '../../src/database/typeorm-options';
import { dropTestDatabase } from './test-database';

/**
 * The chat's tables on the app's own TypeORM options (`logging: false`: some tests provoke SQL errors on purpose),
 * with `moreEntities` (another module's, such as the console's), over the `*_test` database at `url`, migrated. For
 * specs that build the repositories by hand.
 */
export async function openChatDatabase(
  url: string,
  moreEntities: (new () => object)[] = [],
): Promise<DataSource> {
  const dataSource = new DataSource({
    ...typeormOptions(new AppConfig({}), url),
    entities: [ConversationEntity, ConversationTurnEntity, ConditionSlotEntity, AdminAuditEntity, ...moreEntities],
    logging: false,
  });
  await dataSource.initialize();
  const [{ name }] = await dataSource.query<{ name: string }[]>('SELECT current_database() AS name');
  if (!name.endsWith('_test')) throw new Error(`refusing to migrate ${name}: not a *_test database`);
  await dataSource.runMigrations();
  return dataSource;
}

/** Empties the chat's tables between tests. */
export async function resetChatTables(dataSource: DataSource): Promise<void> {
  await dataSource.query('TRUNCATE conversation_turn, conversation, condition_slot, admin_audit RESTART IDENTITY');
}

export async function closeChatDatabase(dataSource: DataSource | undefined, database: string): Promise<void> {
  if (dataSource?.isInitialized) await dataSource.destroy();
  await dropTestDatabase(database);
}
