/**
 * The router's GraphiQL page. Everything it loads (React, Monaco and its workers, fonts) is
 * bundled by Vite and served by the router under /graphql/playground/, so it works offline.
 * Plain `createElement` instead of JSX keeps the build free of a React plugin.
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { starterDocument, starterHeaders } from './starter.js';
import { createPlaygroundFetcher } from './fetcher.js';

// The page is served at the GraphQL endpoint itself, so its own URL is the endpoint.
const endpoint = new URL(window.location.pathname, window.location.origin);
const socketEndpoint = new URL(endpoint);
socketEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';

const container = document.getElementById('graphiql');
if (!container) throw new Error('#graphiql is missing from the page');
createRoot(container).render(
  createElement(GraphiQL, {
    fetcher: createPlaygroundFetcher(endpoint.href, socketEndpoint.href),
    defaultQuery: starterDocument,
    defaultHeaders: starterHeaders,
    defaultEditorToolsVisibility: 'headers',
    // A token is a credential: keep it out of localStorage unless the user opts in.
    shouldPersistHeaders: false,
  }),
);
