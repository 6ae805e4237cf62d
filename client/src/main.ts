/**
 * Wires the session, the GraphQL client and the app together; apart from the calculator's use of
 * the address (calculationUrl), nothing else reads the browser's globals.
 */
import { DefaultApolloClient } from '@vue/apollo-composable';
import { createApp } from 'vue';
import App from './App.vue';
import { createGraphQLClient } from './graphql/apolloClient';
import { LiveConnectionKey, webSocketUrl } from './graphql/liveConnection';
import { createResumePoints, ResumePointsKey } from './calculator/resumePoint';
import { renewSession } from './session/renewSession';
import { revokeSession } from './session/revokeSession';
import { SessionKey, createSession } from './session/session';
import './styles.css';

const GRAPHQL_PATH = '/graphql';

const session = createSession({
  storage: window.localStorage,
  events: window,
  renew: () => renewSession(apollo),
  revoke: () => revokeSession(apollo),
});
const { apollo, live } = createGraphQLClient({
  session,
  httpUrl: GRAPHQL_PATH,
  webSocketUrl: webSocketUrl(window.location, GRAPHQL_PATH),
});

// The address may hold the signed-out user's last calculation; the next user must not inherit it.
// Where the session ran out on its own, the same user signing in again gets it back (resumePoint).
// The address is emptied first, before anything that could fail (the resume point's write).
session.onEnd(() => window.history.replaceState(null, '', window.location.pathname));
const resumePoints = createResumePoints({ session, storage: window.sessionStorage });

createApp(App)
  .provide(DefaultApolloClient, apollo)
  .provide(SessionKey, session)
  .provide(LiveConnectionKey, live)
  .provide(ResumePointsKey, resumePoints)
  .mount('#app');
