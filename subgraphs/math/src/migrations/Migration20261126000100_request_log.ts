import { PortableMigration } from '@microservice-math/shared/database';

export class Migration20261126000100RequestLog extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().createTable('request_log', (table) => {
      table.uuid('id').primary();
      table.string('user_id', 64).notNullable();
      table.string('username', 32).notNullable();
      table.string('operation', 16).notNullable();
      table.string('input', 1024).notNullable();
      table.string('result_preview', 64).notNullable();
      table.integer('digits').notNullable();
      table.boolean('cached').notNullable();
      table.double('duration_ms').notNullable();
      table.string('status', 32).notNullable();
      table.datetime('created_at', { useTz: true }).notNullable();
      table.index(['user_id', 'created_at'], 'request_log_user_id_created_at_index');
    });
  }

  override async down(): Promise<void> {
    await this.schema().dropTable('request_log');
  }
}
