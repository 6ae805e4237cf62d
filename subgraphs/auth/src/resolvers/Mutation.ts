import { unauthenticated } from '@microservice-math/shared/errors';
import {
  revocationIds,
  sessionRevocationId,
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
      if (await revocations.isRevoked(...revocationIds(caller)))
        throw unauthenticated(TOKEN_REVOKED_MESSAGE);
      const user = await callersAccount(usersById, caller.id);
      const session = { startedAt: started, id: caller.sessionId };
      return { ...(await issueToken(user, session)), user };
    },
    logout: async (_parent, _args, { caller }) => {
      if (!caller) throw unauthenticated();
      // Tokens from before token ids cannot be named in a revocation; they expire by themselves.
      if (!caller.token) throw unauthenticated('This token cannot be revoked; sign in again');
      // The whole session ends: every token of it (renewed from one another) until the last of
      // them could expire. Tokens from before session ids are revoked by their own id alone.
      if (caller.sessionId) {
        const sessionEnds =
          caller.sessionStartedAt === undefined
            ? caller.token.expiresAt
            : Math.max(caller.token.expiresAt, caller.sessionStartedAt + maxSessionSeconds);
        await revocations.revoke(sessionRevocationId(caller.sessionId), sessionEnds);
      }
      // The token's own id too: a router that does not yet know session ids refuses it still.
      await revocations.revoke(caller.token.id, caller.token.expiresAt);
      return true;
    },
  };
}
