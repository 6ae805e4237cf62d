/** Wires the session, the GraphQL client and the app together; nothing else reads the browser's globals. */
import { DefaultApolloClient } from '@vue/apollo-composable';
import { createApp } from 'vue';
import App from './App.vue';
import { createGraphQLClient } from './graphql/apolloClient';
import { LiveConnectionKey, webSocketUrl } from './graphql/liveConnection';
import { SessionKey, createSession } from './session/session';
import './styles.css';

const GRAPHQL_PATH = '/graphql';

const session = createSession({ storage: window.sessionStorage });
const { apollo, live } = createGraphQLClient({
  session,
  httpUrl: GRAPHQL_PATH,
  webSocketUrl: webSocketUrl(window.location, GRAPHQL_PATH),
});

createApp(App)
  .provide(DefaultApolloClient, apollo)
  .provide(SessionKey, session)
  .provide(LiveConnectionKey, live)
  .mount('#app');
