/** Registration and login: the rules of the account domain, independent of GraphQL transport. */
import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { pendingCloseRead, stoppedBySignal } from '@microservice-math/shared/cancellation';
import { createAnsweredInTime } from '@microservice-math/shared/databaseErrors';
import type { EntityManager } from '@microservice-math/shared/database';
import { throttledWarning, type Logger } from '@microservice-math/shared/logger';
import { rateLimited, unauthenticated, usernameTaken } from '@microservice-math/shared/errors';
import { UserSchema, type User } from '../entities/User.js';
import type { UserReads, UserRow } from '../userReads.js';
import {
  checkPassword,
  checkUsername,
  isPossibleUsername,
  normalizePassword,
  PASSWORD_MAX_BYTES,
  usernameKey,
} from './credentials.js';
import type { AttemptVerdict, LoginAttempts } from './loginAttempts.js';
import type { PasswordHasher } from './passwords.js';
import type { RegistrationLimit } from './registrationLimit.js';

/** One message for an unknown user and a wrong password, so neither can be told apart. */
export const INVALID_CREDENTIALS = 'Invalid username or password';

/** What a caller is told when its request's deadline passed before its sign-in was decided. */
export const ACCOUNT_LATE_MESSAGE = 'The request did not finish in time; try again shortly';

export interface Accounts {
  /**
   * Succeeds, or leaves no account: once `signal` (the caller's request) has aborted, nothing
   * is inserted, so a caller that gave up never finds an account it was not told about.
   */
  register(
    em: EntityManager,
    username: string,
    password: string,
    client: string,
    signal?: AbortSignal,
  ): Promise<User>;
  /** `reserved`: the attempt already reserved for this call, if the request reserved it up front. */
  login(
    em: EntityManager,
    username: string,
    password: string,
    client: string,
    reserved?: AttemptVerdict,
    signal?: AbortSignal,
  ): Promise<UserRow>;
}

/**
 * Throws CANCELLED when the caller is gone, a close already received behind its request
 * included (see `pendingCloseRead`): no password is hashed for a caller that gave up while this
 * process was frozen or stalled. Past the request's deadline, with the caller still there,
 * SERVICE_UNAVAILABLE: no hash is started that could not be answered.
 */
async function callerStillWaits(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await pendingCloseRead();
  if (signal.aborted) throw stoppedBySignal(signal, ACCOUNT_LATE_MESSAGE, 1);
}

export function createAccounts(
  passwords: PasswordHasher,
  attempts: LoginAttempts,
  registrations: RegistrationLimit,
  users: Pick<UserReads, 'userByNameKey'>,
  logger: Logger,
): Accounts {
  // A database that holds a read is given up at the request's deadline, and the logger hears of it.
  const answeredInTime = createAnsweredInTime(logger);
  // What an attack looks like to the operator: failed and refused sign-ins, at most a line every
  // 5 s per kind with how many there were (an attacker cannot flood the log) and the latest's
  // address. The name tried is not logged when no such account exists: it may be a password
  // typed into the wrong field.
  const failedLogins = throttledWarning(logger, 'failed logins', { countAs: 'failedLogins' });
  const refusedLogins = throttledWarning(logger, 'logins refused by the attempt limits', {
    countAs: 'refusedLogins',
  });
  const refusedRegistrations = throttledWarning(
    logger,
    'registrations refused by the address limit',
    { countAs: 'refusedRegistrations' },
  );
  return {
    async register(em, rawUsername, rawPassword, client, signal) {
      const username = checkUsername(rawUsername);
      const password = checkPassword(rawPassword);
      const key = usernameKey(username);
      const verdict = await registrations.reserve(client);
      if (!verdict.allowed) {
        refusedRegistrations({ client });
        throw rateLimited(
          verdict.retryAfterSeconds,
          `Too many registrations from this address; try again in ${verdict.retryAfterSeconds} s`,
        );
      }
      /** Whether the name was looked up: from then on the registration has told its caller something. */
      let nameLookedUp = false;
      try {
        // A database that holds the query is given up at the request's deadline (answeredInTime).
        const taken = await answeredInTime(em.count(UserSchema, { usernameKey: key }), signal);
        nameLookedUp = true;
        if (taken) throw usernameTaken();
        await callerStillWaits(signal);
        // Hash first (the slow part), then decide: the caller may have gone while it ran.
        const passwordHash = await passwords.hash(password, signal);
        if (signal?.aborted) throw stoppedBySignal(signal, ACCOUNT_LATE_MESSAGE, 1);
        const user = em.create(UserSchema, {
          id: randomUUID(),
          username,
          usernameKey: key,
          passwordHash,
          createdAt: new Date(),
        });
        try {
          await em.flush();
        } catch (error) {
          // Two registrations of one name can both pass the count; the unique index decides.
          if (error instanceof UniqueConstraintViolationException) throw usernameTaken();
          throw error;
        }
        await attempts.registered(key, client);
        return user;
      } catch (error) {
        // A registration that failed before its name was looked up (the database out of reach or
        // given up at the deadline, the caller gone meanwhile) learned nothing and cost no hash,
        // so its place goes back (registrationLimit.ts). Once the name was looked up it counts,
        // whatever follows: a free name is told apart from a taken one by what comes next (full
        // password workers refuse only free names), so giving those back would let an address
        // probe names without limit; and a hash asked for is spent. Not awaited: the refusal
        // goes out now, before the router's deadline, whatever Redis takes.
        if (!nameLookedUp)
          verdict.registration
            .abandon()
            .catch((err: unknown) =>
              logger.warn({ err }, 'a registration place was not given back'),
            );
        throw error;
      }
    },

    async login(em, rawUsername, password, client, reserved, signal) {
      const key = usernameKey(rawUsername).slice(0, 64);
      const verdict = reserved ?? (await attempts.reserve(key, client, signal ? { signal } : {}));
      if (!verdict.allowed) {
        refusedLogins({ client, retryAfterSeconds: verdict.retryAfterSeconds });
        throw rateLimited(verdict.retryAfterSeconds);
      }
      const { attempt } = verdict;
      try {
        const user = isPossibleUsername(rawUsername)
          ? await answeredInTime(users.userByNameKey(em, key), signal)
          : null;
        // Over-long passwords never match (bcrypt would compare only their first 72 bytes),
        // but take as long to refuse.
        const check = async (text: string) => {
          const fits = Buffer.byteLength(text, 'utf8') <= PASSWORD_MAX_BYTES;
          return (await passwords.verify(fits ? text : '', user?.passwordHash, signal)) && fits;
        };
        // Checked in NFC, the form registration hashes. Hashes made before passwords were
        // normalised are of the password as typed: when that is not NFC it is checked too,
        // whether or not the user exists (the same time either way).
        const normalized = normalizePassword(password);
        await callerStillWaits(signal);
        let matches = await check(normalized);
        if (!matches && password !== normalized) matches = await check(password);
        if (!user || !matches) {
          failedLogins({ client, account: user ? user.username : undefined });
          await attempt.failed();
          throw unauthenticated(INVALID_CREDENTIALS);
        }
        await attempt.succeeded();
        return user;
      } finally {
        // A check that could not run (cancelled, workers busy) is no failure: its place is free.
        attempt.abandon();
      }
    },
  };
}
