import { MigrationInterface, QueryRunner } from 'typeorm';

export class PanelOrigin1796275014243 implements MigrationInterface {
  name = 'PanelOrigin1796275014243';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_completed_arm_duration"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_completed_at"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_created"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_label"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_status"
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_completed_arm_duration" ON "conversation" (
                "brand",
                "think_level",
                "feel_level",
                "duration_ms",
                "origin"
            )
            WHERE status = 'completed'
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_completed_at" ON "conversation" ("completed_at", "origin")
            WHERE completed_at IS NOT NULL
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_created" ON "conversation" ("created_at", "id", "origin")
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
                "score_other",
                "origin"
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_arm_status" ON "conversation" (
                "brand",
                "think_level",
                "feel_level",
                "status",
                "origin"
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_status"
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
            CREATE INDEX "idx_conversation_arm_status" ON "conversation" USING btree ("brand", "think_level", "feel_level", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_arm_label" ON "conversation" USING btree (
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
            CREATE INDEX "idx_conversation_created" ON "conversation" USING btree ("id", "created_at")
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_completed_at" ON "conversation" USING btree ("completed_at")
            WHERE (completed_at IS NOT NULL)
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_conversation_completed_arm_duration" ON "conversation" USING btree (
                "brand",
                "think_level",
                "feel_level",
                "duration_ms"
            )
            WHERE ((status)::text = 'completed'::text)
        `);
  }
}
