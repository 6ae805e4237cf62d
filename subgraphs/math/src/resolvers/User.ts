import { forbidden } from '@microservice-math/shared/errors';
import type { UserResolvers } from '../generated/resolvers.js';
import { checkLimit } from '../logs/logQueries.js';
import { requireCaller } from './caller.js';

export const User: UserResolvers = {
  __resolveReference: ({ id }) => ({ id }),
  logs: (user, { limit, before, includeRefused }, { caller, reads }) => {
    if (requireCaller(caller).id !== user.id) {
      throw forbidden("Only a user's own logs can be read");
    }
    return reads.logsByUser.load({
      userId: user.id,
      limit: checkLimit(limit),
      before: before ?? null,
      includeRefused: includeRefused ?? false,
    });
  },
};
