import { PortableMigration } from '@microservice-math/shared/database';

/**
 * The request id (the router's, one per operation) and the field's response key make a log's
 * idempotency key: a request the router retries on another instance logs once. Rows written
 * before this migration keep null keys, which never conflict.
 */
export class Migration20261210000100RequestLogIdempotency extends PortableMigration {
  override async up(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.string('request_id', 64).nullable();
      table.string('response_key', 255).nullable();
      table.unique(['request_id', 'response_key'], {
        indexName: 'request_log_request_id_response_key_unique',
      });
    });
  }

  override async down(): Promise<void> {
    await this.schema().alterTable('request_log', (table) => {
      table.dropUnique(
        ['request_id', 'response_key'],
        'request_log_request_id_response_key_unique',
      );
      table.dropColumn('request_id');
      table.dropColumn('response_key');
    });
  }
}
