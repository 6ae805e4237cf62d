import { PortableMigration } from '@microservice-math/shared/database';

/** Revocations (logout) Redis has not taken yet: kept until one auth instance delivers them. */
export class Migration20261205000000PendingRevocations extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().createTable('pending_revocations', (table) => {
      // A token id (UUID) or a session's revocation id (`session:` and its id).
      table.string('token_id', 128).primary();
      // When what it names expires anyway, seconds since the epoch.
      table.bigInteger('expires_at').notNullable();
    });
  }

  override async down(): Promise<void> {
    await this.schema().dropTable('pending_revocations');
  }
}
