import type { QueryResolvers } from '../generated/resolvers.js';
import { callersAccount } from '../userReads.js';

export const Query: QueryResolvers = {
  me: (_parent, _args, { caller, usersById }) =>
    caller ? callersAccount(usersById, caller.id) : null,
};
