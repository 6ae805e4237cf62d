import { PortableMigration } from '@microservice-math/shared/database';

/**
 * `answered_at`: when a retry's answer replaced the row's refusal (logWriter.ts), keeping its id
 * and time; null for every other row. A live feed resuming after a cursor newer than such a row
 * finds it by this column (`recentLogs(answeredAfter:)`): its id alone is older than the cursor.
 * Indexed with the user, as such rows are read: few of them, after a moment.
 */
export class Migration20261220000100RequestLogAnsweredAt extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.datetime('answered_at', { useTz: true }).nullable();
      table.index(['user_id', 'answered_at'], 'request_log_user_id_answered_at_index');
    });
  }

  override async down(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.dropIndex(['user_id', 'answered_at'], 'request_log_user_id_answered_at_index');
      table.dropColumn('answered_at');
    });
  }
}
