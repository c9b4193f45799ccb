import { MigrationInterface, QueryRunner } from 'typeorm';

export class Studies1796140477184 implements MigrationInterface {
  name = 'Studies1796140477184';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "admin_audit" (
                "id" BIGSERIAL NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "actor" character varying(64) NOT NULL,
                "action" character varying(16) NOT NULL,
                "rows" integer NOT NULL,
                "details" jsonb NOT NULL,
                CONSTRAINT "PK_5ad48a4d9d16397ef37e28bb0be" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "idx_admin_audit_at" ON "admin_audit" ("at")
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD "origin" character varying(16) NOT NULL DEFAULT 'greeting'
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD "completion_code" character varying(16)
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation"
            ADD "erased_at" TIMESTAMP WITH TIME ZONE
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_conversation_completion_code" ON "conversation" ("completion_code")
            WHERE completion_code IS NOT NULL
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."uq_conversation_completion_code"
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP COLUMN "erased_at"
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP COLUMN "completion_code"
        `);
    await queryRunner.query(`
            ALTER TABLE "conversation" DROP COLUMN "origin"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."idx_admin_audit_at"
        `);
    await queryRunner.query(`
            DROP TABLE "admin_audit"
        `);
  }
}
