import { MigrationInterface, QueryRunner } from 'typeorm';

export class AbandonReason1796249661410 implements MigrationInterface {
  name = 'AbandonReason1796249661410';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD "abandon_reason" character varying(16)
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD "abandoned_at" TIMESTAMP WITH TIME ZONE
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP COLUMN "abandoned_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP COLUMN "abandon_reason"
        `);
  }
}
