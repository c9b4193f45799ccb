import { MigrationInterface, QueryRunner } from "typeorm";

export class ConversationHotUpdates1796175043207 implements MigrationInterface {
    name = 'ConversationHotUpdates1796175043207'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_status_activity"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_progress"
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_conversation_arm_status" ON "conversation" ("brand", "think_level", "feel_level", "status")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_conversation_in_progress" ON "conversation" ("created_at")
            WHERE status = 'in_progress'
        `);
        await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD CONSTRAINT "chk_conversation_completed_at_last_step" CHECK (
                    status <> 'completed'
                    OR step = 7
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "conversation" DROP CONSTRAINT "chk_conversation_completed_at_last_step"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_in_progress"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_conversation_arm_status"
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_conversation_arm_progress" ON "conversation" USING btree (
                "brand",
                "think_level",
                "feel_level",
                "status",
                "step"
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_conversation_status_activity" ON "conversation" USING btree ("status", "last_activity_at")
        `);
    }

}
