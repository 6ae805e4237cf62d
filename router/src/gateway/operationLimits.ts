/**
 * Limits on what one operation may ask for, enforced with graphql-armor before planning or
 * execution, over HTTP and WebSocket alike: nesting depth, aliases, directives, tokens and cost.
 * Math sizes are bounded separately by the math subgraph's digit budget.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  parse,
  type DocumentNode,
  type ParseOptions,
  type Source,
  type ValidationRule,
} from 'graphql';

export const operationLimits = {
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 2_000,
  maxCost: 5_000,
};

export interface OperationProtection {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  /** For Apollo Server: a longer document is a syntax error (400 GRAPHQL_PARSE_FAILED). */
  parseOptions: ParseOptions;
  /** The same limit for graphql-ws, which parses documents itself. */
  parse: (source: string | Source) => DocumentNode;
}

export function operationProtection(): OperationProtection {
  const { plugins, validationRules } = new ApolloArmor({
    // Depth and cost are the fields a query reaches: a fragment spread is not a level of its own
    // (armor counts one by default, so a query written with colocated fragments was refused
    // as several times deeper and costlier than the same query written out).
    maxDepth: { n: operationLimits.maxDepth, flattenFragments: true },
    // Armor leaves aliases of __typename out by default: 600 of them were answered.
    maxAliases: { n: operationLimits.maxAliases, allowList: [] },
    maxDirectives: { n: operationLimits.maxDirectives },
    // Counted by graphql-js's own parser instead (`parseOptions`): armor's token check throws
    // from a plugin hook, which Apollo Server answers with a 500.
    maxTokens: { enabled: false },
    costLimit: { maxCost: operationLimits.maxCost, flattenFragments: true },
    // Suggestions ("Did you mean …?") help a developer and reveal the schema to someone
    // guessing at it. Production drops them (Apollo's hideSchemaDetailsFromClientErrors over
    // HTTP, `withoutSuggestion` over WebSocket); armor's mask would leave "[Suggestion hidden]?".
    blockFieldSuggestion: { enabled: false },
  }).protect();
  // graphql-armor ships CommonJS types for Apollo Server; the objects are the same at run time.
  const parseOptions = { maxTokens: operationLimits.maxTokens };
  return {
    plugins: plugins as unknown as ApolloServerPlugin[],
    validationRules,
    parseOptions,
    parse: (source) => parse(source, parseOptions),
  };
}
