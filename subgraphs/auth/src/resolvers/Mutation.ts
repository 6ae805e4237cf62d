import { unauthenticated } from '@microservice-math/shared/errors';
import {
  TOKEN_REVOKED_MESSAGE,
  type TokenRevocations,
} from '@microservice-math/shared/tokenRevocations';
import type { MutationResolvers } from '../generated/resolvers.js';
import type { Accounts } from '../accounts/accounts.js';
import type { TokenIssuer } from '../tokens/tokenIssuer.js';
import { callersAccount } from '../userReads.js';

export function mutationResolvers(
  accounts: Accounts,
  issueToken: TokenIssuer,
  maxSessionSeconds: number,
  revocations: TokenRevocations,
): MutationResolvers {
  return {
    register: async (_parent, { username, password }, { em, clientAddress, signal }) => {
      const user = await accounts.register(em, username, password, clientAddress, signal);
      return { ...(await issueToken(user)), user };
    },
    login: async (
      _parent,
      { username, password },
      { em, clientAddress, loginReservations, signal },
      info,
    ) => {
      const reserved = loginReservations.get(info.path.key as string);
      const user = await accounts.login(em, username, password, clientAddress, reserved, signal);
      return { ...(await issueToken(user)), user };
    },
    renewToken: async (_parent, _args, { caller, usersById }) => {
      if (!caller) throw unauthenticated();
      const started = caller.sessionStartedAt;
      // Tokens from before sessions were recorded cannot say when theirs began.
      if (started === undefined || Date.now() / 1000 - started >= maxSessionSeconds)
        throw unauthenticated('Session expired; sign in again');
      // `mutation { logout renewToken { token } }` runs in that order: the session just ended.
      if (caller.token && (await revocations.isRevoked(caller.token.id)))
        throw unauthenticated(TOKEN_REVOKED_MESSAGE);
      const user = await callersAccount(usersById, caller.id);
      return { ...(await issueToken(user, started)), user };
    },
    logout: async (_parent, _args, { caller }) => {
      if (!caller) throw unauthenticated();
      // Tokens from before token ids cannot be named in a revocation; they expire by themselves.
      if (!caller.token) throw unauthenticated('This token cannot be revoked; sign in again');
      await revocations.revoke(caller.token.id, caller.token.expiresAt);
      return true;
    },
  };
}
