import { MigrationInterface, QueryRunner } from 'typeorm';

export class MetricsSnapshot1795749384244 implements MigrationInterface {
  name = 'MetricsSnapshot1795749384244';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "metrics_snapshot" (
                "id" BIGSERIAL NOT NULL,
                "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "host" character varying(64) NOT NULL,
                "pid" integer NOT NULL,
                "rss_bytes" bigint NOT NULL,
                "heap_used_bytes" bigint NOT NULL,
                "details" jsonb NOT NULL,
                CONSTRAINT "PK_2a0709abac00ca5d0ee2dfd9e8e" PRIMARY KEY ("id")
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "metrics_snapshot"
        `);
  }
}
