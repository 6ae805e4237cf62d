import type { UserResolvers } from '../generated/resolvers.js';
import { callersAccount } from '../userReads.js';

export const User: UserResolvers = {
  // Every User the router asks auth about is the caller (logs are their owner's alone).
  __resolveReference: ({ id }, { caller, usersById }) =>
    id === caller?.id ? callersAccount(usersById, id) : usersById.load(id),
};
