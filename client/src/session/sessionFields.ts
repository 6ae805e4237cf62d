/**
 * What every mutation that hands out a token (`login`, `register`, `renewToken`) selects, and
 * the session made of it.
 */
import { getFragmentData, graphql, type FragmentType } from '../gql';
import type { SessionData } from './session';

export const SessionFieldsFragment = graphql(/* GraphQL */ `
  fragment SessionFields_AuthPayload on AuthPayload {
    token
    expiresAt
    user {
      id
      username
    }
  }
`);

export function sessionDataOf(payload: FragmentType<typeof SessionFieldsFragment>): SessionData {
  const { token, expiresAt, user } = getFragmentData(SessionFieldsFragment, payload);
  return { token, expiresAt, user: { id: user.id, username: user.username } };
}
