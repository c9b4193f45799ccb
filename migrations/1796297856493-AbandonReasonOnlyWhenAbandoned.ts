import { MigrationInterface, QueryRunner } from 'typeorm';

export class AbandonReasonOnlyWhenAbandoned1796297856493 implements MigrationInterface {
  name = 'AbandonReasonOnlyWhenAbandoned1796297856493';

  public async up(queryRunner: QueryRunner): Promise<void> {
    // Participants who left and came back to give their e-mail were stored completed with the reason they had
    // left: the reason no longer holds.
    await queryRunner.query(`
            UPDATE "conversation" SET abandon_reason = NULL, abandoned_at = NULL
             WHERE status <> 'abandoned' AND (abandon_reason IS NOT NULL OR abandoned_at IS NOT NULL)
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD CONSTRAINT "chk_conversation_abandon_reason_when_abandoned" CHECK (
                    status = 'abandoned'
                    OR (
                        abandon_reason IS NULL
                        AND abandoned_at IS NULL
                    )
                )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP CONSTRAINT "chk_conversation_abandon_reason_when_abandoned"
        `);
  }
}
