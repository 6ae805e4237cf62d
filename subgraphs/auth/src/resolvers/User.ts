import type { UserResolvers } from '../generated/resolvers.js';

export const User: UserResolvers = {
  __resolveReference: ({ id }, { usersById }) => usersById.load(id),
};
