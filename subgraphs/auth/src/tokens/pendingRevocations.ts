/**
 * The revocations (logout) Redis has not taken yet, in auth's database (`pending_revocations`),
 * so that they outlive the instance that wrote them: every auth instance over the same database
 * loads them at start and whenever Redis returns, and removes each once Redis has it.
 */
import type { Orm } from '@microservice-math/shared/database';
import type { PendingRevocations, RevokedToken } from '@microservice-math/shared/tokenRevocations';

const TABLE = 'pending_revocations';

export function pendingRevocationsIn(orm: Orm): PendingRevocations {
  const knex = () => orm.em.getConnection().getKnex();
  return {
    async keep({ tokenId, expiresAt }) {
      await knex()(TABLE)
        .insert({ token_id: tokenId, expires_at: expiresAt })
        .onConflict('token_id')
        .merge();
    },
    async list() {
      const rows = await knex()(TABLE).select<{ token_id: string; expires_at: string | number }[]>(
        'token_id',
        'expires_at',
      );
      // PostgreSQL answers a bigint as a string.
      return rows.map((row): RevokedToken => ({
        tokenId: row.token_id,
        expiresAt: Number(row.expires_at),
      }));
    },
    async remove(tokenId) {
      await knex()(TABLE).where({ token_id: tokenId }).delete();
    },
  };
}
