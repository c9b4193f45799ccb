import { MigrationInterface, QueryRunner } from 'typeorm';

export class MetricsSnapshotRetention1796286518062 implements MigrationInterface {
  name = 'MetricsSnapshotRetention1796286518062';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE INDEX "idx_metrics_snapshot_taken_at" ON "metrics_snapshot" ("taken_at")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_metrics_snapshot_taken_at"
        `);
  }
}
