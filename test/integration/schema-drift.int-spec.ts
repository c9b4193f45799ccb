import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { ENTITIES_GLOB, typeormOptions } from '../../src/database/typeorm-options';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

/**
 * The migrations build exactly the schema the entities describe: what `npm run migration:check` asks TypeORM, run
 * here so CI fails when an entity changes without a generated migration (or a migration without its entity).
 */
describe('migrations and entities (real PostgreSQL)', () => {
  const DATABASE = 'combot_schema_drift_test';
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = new DataSource({
      ...typeormOptions(new AppConfig({}), await recreateTestDatabase(DATABASE)),
      entities: [ENTITIES_GLOB],
      logging: false,
    });
    await dataSource.initialize();
    await dataSource.runMigrations();
  }, 60_000);

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy();
    await dropTestDatabase(DATABASE);
  });

  it('finds every entity of src/ and no statement left to generate', async () => {
    expect(dataSource.entityMetadatas.map((entity) => entity.tableName).sort()).toEqual([
      'admin_audit',
      'admin_session_revocation',
      'condition_slot',
      'conversation',
      'conversation_turn',
      'metrics_snapshot',
    ]);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query.trim())).toEqual([]);
  });
});
