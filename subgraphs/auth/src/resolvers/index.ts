import { DateTimeScalar } from '@microservice-math/shared/scalars';
import type { TokenRevocations } from '@microservice-math/shared/tokenRevocations';
import type { Accounts } from '../accounts/accounts.js';
import type { Resolvers } from '../generated/resolvers.js';
import type { TokenIssuer } from '../tokens/tokenIssuer.js';
import { mutationResolvers } from './Mutation.js';
import { Query } from './Query.js';
import { User } from './User.js';

export function createResolvers(
  accounts: Accounts,
  issueToken: TokenIssuer,
  maxSessionSeconds: number,
  revocations: TokenRevocations,
): Resolvers {
  return {
    DateTime: DateTimeScalar,
    Query,
    Mutation: mutationResolvers(accounts, issueToken, maxSessionSeconds, revocations),
    User,
  };
}
