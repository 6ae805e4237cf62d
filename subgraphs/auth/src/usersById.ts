import type { EntityManager } from '@microservice-math/shared/database';
import { isUuid } from '@microservice-math/shared/ids';
import DataLoader from 'dataloader';
import { UserSchema, type User } from './entities/User.js';

/** One `WHERE id IN (…)` per request for however many `User` references the router asks for. */
export function createUsersById(em: EntityManager): DataLoader<string, User | null> {
  return new DataLoader(async (ids) => {
    // Only well-formed ids reach the database (PostgreSQL would reject a malformed uuid).
    const wellFormed = ids.filter(isUuid);
    const users = wellFormed.length ? await em.find(UserSchema, { id: { $in: wellFormed } }) : [];
    const byId = new Map(users.map((user) => [user.id, user]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
