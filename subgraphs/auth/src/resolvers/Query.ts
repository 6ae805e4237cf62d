import type { QueryResolvers } from '../generated/resolvers.js';

export const Query: QueryResolvers = {
  me: async (_parent, _args, { caller, usersById }) => (caller ? usersById.load(caller.id) : null),
};
