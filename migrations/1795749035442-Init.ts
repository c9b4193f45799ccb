import { MigrationInterface, QueryRunner } from 'typeorm';

export class Init1795749035442 implements MigrationInterface {
  name = 'Init1795749035442';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "condition_slot" (
                "id" BIGSERIAL NOT NULL,
                "scope" character varying(16) NOT NULL,
                "block_no" integer NOT NULL,
                "position" smallint NOT NULL,
                "brand" character varying(16) NOT NULL,
                "think_level" character varying(8) NOT NULL,
                "feel_level" character varying(8) NOT NULL,
                "conversation_id" uuid,
                "assigned_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_1735d381d684d994a45848851e3" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_condition_slot_free" ON "condition_slot" ("scope", "block_no", "position")
            WHERE conversation_id IS NULL
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_condition_slot_position" ON "condition_slot" ("scope", "block_no", "position")
        `);
    await queryRunner.query(`
            CREATE TABLE "conversation" (
                "id" uuid NOT NULL,
                "entry_point" character varying(16) NOT NULL,
                "brand" character varying(16) NOT NULL,
                "think_level" character varying(8) NOT NULL,
                "feel_level" character varying(8) NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'in_progress',
                "step" smallint NOT NULL DEFAULT '0',
                "label" character varying(8),
                "score_a" double precision,
                "score_b" double precision,
                "score_c" double precision,
                "score_other" double precision,
                "model_id" character varying(200),
                "model_revision" character varying(100),
                "content_version" character varying(40) NOT NULL,
                "email" character varying(254),
                "client_timer_seconds" double precision,
                "duration_ms" integer,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_activity_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "completed_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_864528ec4274360a40f66c29845" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_status_activity" ON "conversation" ("status", "last_activity_at")
        `);
    await queryRunner.query(`
            CREATE TABLE "conversation_turn" (
                "id" BIGSERIAL NOT NULL,
                "conversation_id" uuid NOT NULL,
                "sender" character varying(16) NOT NULL,
                "kind" character varying(16) NOT NULL,
                "step" smallint NOT NULL,
                "text" text NOT NULL,
                "message_type" character varying(32),
                "response" jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_2b8dc1fab4189df1353307e8cea" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_turn_conversation_step_kind" ON "conversation_turn" ("conversation_id", "step", "kind")
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation_turn"
            ADD CONSTRAINT "FK_2fefaadd1692207581f5deda587" FOREIGN KEY ("conversation_id") REFERENCES "conversation"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "conversation_turn" DROP CONSTRAINT "FK_2fefaadd1692207581f5deda587"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_turn_conversation_step_kind"
        `);
    await queryRunner.query(`
            DROP TABLE "conversation_turn"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_status_activity"
        `);
    await queryRunner.query(`
            DROP TABLE "conversation"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."uq_condition_slot_position"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_condition_slot_free"
        `);
    await queryRunner.query(`
            DROP TABLE "condition_slot"
        `);
  }
}
