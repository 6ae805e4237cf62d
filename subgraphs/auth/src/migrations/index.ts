import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261126000000Users } from './Migration20261126000000_users.js';
import { Migration20261205000000PendingRevocations } from './Migration20261205000000_pending_revocations.js';

/** In order; applied at start-up and by `npm run migrate`. Never edit one that has shipped. */
export const authMigrations: MigrationObject[] = [
  { name: 'Migration20261126000000_users', class: Migration20261126000000Users },
  {
    name: 'Migration20261205000000_pending_revocations',
    class: Migration20261205000000PendingRevocations,
  },
];
