import { PortableMigration } from '@microservice-math/shared/database';

/**
 * The `(user_id, answered_at)` index holds only the rows that have an `answered_at` (a retry's
 * answer replaced their refusal; few), not one entry per log. Every answered calculation waits
 * for its row's commit, and a full index adds a B-tree insert, and its page to the commit, for
 * each row: a 4-row batch on SQLite took 214–224 µs of CPU against 266–314 µs with it (measured
 * side by side). The feed's query (`answered_at > ?`) implies `answered_at IS NOT NULL`, so both
 * SQLite and PostgreSQL still use it.
 */
const INDEX = 'request_log_user_id_answered_at_index';

export class Migration20261230000100RequestLogAnsweredAtPartial extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.dropIndex(['user_id', 'answered_at'], INDEX);
    });
    await this.knex().raw(
      `create index ${INDEX} on request_log (user_id, answered_at) where answered_at is not null`,
    );
  }

  override async down(): Promise<void> {
    await this.knex().raw(`drop index ${INDEX}`);
    await this.schema().alterTable('request_log', (table) => {
      table.index(['user_id', 'answered_at'], INDEX);
    });
  }
}
