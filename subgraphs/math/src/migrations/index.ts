import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000100RequestLog } from './Migration20261126000100_request_log.js';
import { Migration20261210000100RequestLogIdempotency } from './Migration20261210000100_request_log_idempotency.js';
import { Migration20261215000100RequestLogKey } from './Migration20261215000100_request_log_key.js';
import { Migration20261220000100RequestLogAnsweredAt } from './Migration20261220000100_request_log_answered_at.js';
import { Migration20261230000100RequestLogAnsweredAtPartial } from './Migration20261230000100_request_log_answered_at_partial.js';

/** In order; applied at start-up and by `npm run migrate`. Never edit one that has shipped. */
export const mathMigrations: MigrationObject[] = [
  { name: 'Migration20261126000100_request_log', class: Migration20261126000100RequestLog },
  {
    name: 'Migration20261210000100_request_log_idempotency',
    class: Migration20261210000100RequestLogIdempotency,
  },
  { name: 'Migration20261215000100_request_log_key', class: Migration20261215000100RequestLogKey },
  {
    name: 'Migration20261220000100_request_log_answered_at',
    class: Migration20261220000100RequestLogAnsweredAt,
  },
  {
    name: 'Migration20261230000100_request_log_answered_at_partial',
    class: Migration20261230000100RequestLogAnsweredAtPartial,
  },
];
