import { PortableMigration } from '@microservice-math/shared/database';

export class Migration20261126000000Users extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().createTable('users', (table) => {
      table.uuid('id').primary();
      table.string('username', 32).notNullable();
      table.string('username_key', 32).notNullable().unique();
      table.string('password_hash', 60).notNullable();
      table.datetime('created_at', { useTz: true }).notNullable();
    });
  }

  override async down(): Promise<void> {
    await this.schema().dropTable('users');
  }
}
