import { PortableMigration } from '@microservice-math/shared/database';

/**
 * The log's idempotency key becomes its own column, `log_key`: the request id as before, or,
 * when the client sent an `Idempotency-Key`, a digest of that key (scoped to the user by the
 * router) with the user and the calculation (logWriter.ts). The client's attempts of one
 * calculation go through different routers with different request ids, so the request id alone
 * cannot be the key any more; it stays as a plain column, naming the request that stored the
 * row. Existing rows keep their key: `log_key` is filled from `request_id`.
 */
export class Migration20261215000100RequestLogKey extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.string('log_key', 64).nullable();
    });
    await this.knex()('request_log').update({ log_key: this.knex().ref('request_id') });
    await this.schema().alterTable('request_log', (table) => {
      table.dropUnique(
        ['request_id', 'response_key'],
        'request_log_request_id_response_key_unique',
      );
      table.unique(['log_key', 'response_key'], {
        indexName: 'request_log_log_key_response_key_unique',
      });
    });
  }

  override async down(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.dropUnique(['log_key', 'response_key'], 'request_log_log_key_response_key_unique');
      table.unique(['request_id', 'response_key'], {
        indexName: 'request_log_request_id_response_key_unique',
      });
      table.dropColumn('log_key');
    });
  }
}
