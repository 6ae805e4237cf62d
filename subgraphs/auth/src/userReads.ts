import type { EntityManager, Orm } from '@microservice-math/shared/database';
import { unauthenticated } from '@microservice-math/shared/errors';
import { isUuid } from '@microservice-math/shared/ids';
import { preparedSelect } from '@microservice-math/shared/preparedSelect';
import DataLoader from 'dataloader';
import { UserSchema, type User } from './entities/User.js';

/** A user as read for an answer: plain data, never an entity the request could change and flush. */
export type UserRow = Readonly<User>;

export interface UserReads {
  /** One read per request for however many `User` references the router asks for. */
  usersById(em: EntityManager): DataLoader<string, UserRow | null>;
  /** The account a sign-in names, by its username key, password hash included; null if none. */
  userByNameKey(em: EntityManager, key: string): Promise<UserRow | null>;
  /** Lets go of prepared statements. */
  close(): void;
}

export function createUserReads(orm: Orm): UserReads {
  // Nearly every request reads one user (`me`, the router's one `User` reference, a renewal), and
  // every login one by name: on SQLite those selects are prepared once (see preparedSelect). Both
  // paths answer plain rows mapped as the query builder maps them, not entities of the request's
  // EntityManager.
  const oneUser = preparedSelect<readonly [string], User>(orm, ['\u0000id'], ([id]) =>
    orm.em.fork().createQueryBuilder(UserSchema).select('*').where({ id }),
  );
  const userNamed = preparedSelect<readonly [string], User>(
    orm,
    ['\u0000usernameKey'],
    ([usernameKey]) =>
      orm.em.fork().createQueryBuilder(UserSchema).select('*').where({ usernameKey }),
  );

  return {
    usersById: (em) =>
      new DataLoader(async (ids) => {
        // Only well-formed ids reach the database (PostgreSQL would reject a malformed uuid).
        const wellFormed = ids.filter(isUuid);
        const users =
          wellFormed.length === 0
            ? []
            : wellFormed.length === 1 && oneUser
              ? await oneUser.all([wellFormed[0] as string])
              : await em
                  .createQueryBuilder(UserSchema)
                  .select('*')
                  .where({ id: { $in: wellFormed } })
                  .execute('all', true);
        const byId = new Map(users.map((user) => [user.id, user]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    userByNameKey: async (em, key) => {
      const [user] = userNamed
        ? await userNamed.all([key])
        : await em
            .createQueryBuilder(UserSchema)
            .select('*')
            .where({ usernameKey: key })
            .execute('all', true);
      return user ?? null;
    },
    close: () => {
      oneUser?.close();
      userNamed?.close();
    },
  };
}

/**
 * The caller's own account. A token outlives an account deleted under it (tokens are not looked
 * up; they expire): whatever such a token asks of its account is refused, never answered null.
 */
export async function callersAccount(
  usersById: DataLoader<string, UserRow | null>,
  callerId: string,
): Promise<UserRow> {
  const user = await usersById.load(callerId);
  if (!user) throw unauthenticated('Account not found; sign in again');
  return user;
}
