import type { MutationResolvers } from '../generated/resolvers.js';
import type { Accounts } from '../accounts/accounts.js';
import type { TokenIssuer } from '../tokens/tokenIssuer.js';

export function mutationResolvers(accounts: Accounts, issueToken: TokenIssuer): MutationResolvers {
  return {
    register: async (_parent, { username, password }, { em }) => {
      const user = await accounts.register(em, username, password);
      return { ...(await issueToken(user)), user };
    },
    login: async (
      _parent,
      { username, password },
      { em, clientAddress, loginReservations },
      info,
    ) => {
      const reserved = loginReservations.get(info.path.key as string);
      const user = await accounts.login(em, username, password, clientAddress, reserved);
      return { ...(await issueToken(user)), user };
    },
  };
}
