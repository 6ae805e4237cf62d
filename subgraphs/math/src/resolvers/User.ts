import { ErrorCode } from '@microservice-math/shared/errors';
import { GraphQLError } from 'graphql';
import type { UserResolvers } from '../generated/resolvers.js';
import { checkLimit } from '../logs/logQueries.js';
import { requireCaller } from './Query.js';

export const User: UserResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  logs: (user, { limit }, { caller, logsByUser }) => {
    if (requireCaller(caller).id !== user.id) {
      throw new GraphQLError("Only a user's own logs can be read", {
        extensions: { code: ErrorCode.Forbidden },
      });
    }
    return logsByUser.load({ userId: user.id, limit: checkLimit(limit) });
  },
};
