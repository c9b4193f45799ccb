import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConsolePanels1796144028052 implements MigrationInterface {
  name = 'ConsolePanels1796144028052';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "admin_session_revocation" (
                "session_id" uuid NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "revoked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_71548f70bfc02c8c414aa57ad52" PRIMARY KEY ("session_id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_condition_slot_taken_arm" ON "condition_slot" ("scope", "brand", "think_level", "feel_level")
            WHERE conversation_id IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_completed_arm_duration" ON "conversation" (
                "brand",
                "think_level",
                "feel_level",
                "duration_ms"
            )
            WHERE status = 'completed'
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_completed_at" ON "conversation" ("completed_at")
            WHERE completed_at IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_created" ON "conversation" ("created_at", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_arm_label" ON "conversation" (
                "brand",
                "think_level",
                "feel_level",
                "label",
                "score_a",
                "score_b",
                "score_c",
                "score_other"
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_arm_progress" ON "conversation" (
                "brand",
                "think_level",
                "feel_level",
                "status",
                "step"
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_progress"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_label"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_created"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_completed_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_completed_arm_duration"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_condition_slot_taken_arm"
        `);
    await queryRunner.query(`
            DROP TABLE "admin_session_revocation"
        `);
  }
}
