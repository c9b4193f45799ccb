import { MigrationInterface, QueryRunner } from 'typeorm';

export class CompletionCodeOnlyWhenCompleted1796311902334 implements MigrationInterface {
  name = 'CompletionCodeOnlyWhenCompleted1796311902334';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Codes were drawn when a conversation began, so conversations never completed held one that no thank-you ever
    // showed, and read as completed to anyone who took "has a code" for it. Codes are now drawn at completion.
    await queryRunner.query(`
            UPDATE "conversation" SET completion_code = NULL
             WHERE completed_at IS NULL AND completion_code IS NOT NULL
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD CONSTRAINT "chk_conversation_completion_code_when_completed" CHECK (
                    completion_code IS NULL
                    OR completed_at IS NOT NULL
                )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP CONSTRAINT "chk_conversation_completion_code_when_completed"
        `);
  }
}
