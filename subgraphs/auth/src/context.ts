import type { EntityManager } from '@microservice-math/shared/database';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';
import type DataLoader from 'dataloader';
import type { AttemptVerdict } from './accounts/loginAttempts.js';
import type { UserRow } from './userReads.js';

export interface AuthContext extends RequestBase {
  /** The signed-in caller as the router vouches for it; null when anonymous. */
  caller: Caller | null;
  /** The end client's address, for counting login attempts. */
  clientAddress: string;
  em: EntityManager;
  /** Batches `User` reference lookups of one request into one query. */
  usersById: DataLoader<string, UserRow | null>;
  /** Login attempts reserved for this request's `login` fields, by response key. */
  loginReservations: Map<string, AttemptVerdict>;
}
