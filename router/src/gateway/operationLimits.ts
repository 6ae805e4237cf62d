/**
 * Limits on what one operation may ask for, enforced with graphql-armor before planning or
 * execution, over HTTP and WebSocket alike: nesting depth, aliases, directives, tokens and cost.
 * Math sizes are bounded separately by the math subgraph's digit budget.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  parse,
  type DocumentNode,
  type GraphQLFormattedError,
  type ParseOptions,
  type Source,
  type ValidationContext,
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
  /**
   * For Apollo Server's formatError: graphql-js's errors for the token limit and for a
   * validation it gave up on, in the router's words.
   */
  formatError: (formatted: GraphQLFormattedError) => GraphQLFormattedError;
  /** The same for graphql-ws and SSE, which validate documents themselves. */
  validationError: (error: GraphQLError) => GraphQLError;
}

/** "The operation has 31 aliases; the router accepts at most 30" and the like. */
function limitMessage(found: string, limit: number): string {
  return `${found}; the router accepts at most ${limit}`;
}

/**
 * Armor rule options that refuse in the router's words, as a validation error like any other:
 * armor's own error starts "Syntax Error:", which it is not, and says "Aliases limit of 30
 * exceeded". Armor's message gives the number found; the rest is ours.
 */
function refusedAs(limit: number, describe: (found: string) => string) {
  return {
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const found = /found (\d+)/.exec(error.message)?.[1] ?? `more than ${limit}`;
        context?.reportError(new GraphQLError(limitMessage(describe(found), limit)));
      },
    ],
  };
}

/** graphql-js's own words for a document over `maxTokens` ("more that" is its spelling). */
const PARSER_TOKEN_LIMIT = /^Syntax Error: Document contains more th[ae]t \d+ tokens/;
const TOKEN_LIMIT_MESSAGE = limitMessage(
  `The operation has more than ${operationLimits.maxTokens} tokens (names, values and punctuation)`,
  operationLimits.maxTokens,
);

/**
 * graphql-js's words when its check that same-named fields can be merged runs out of its work
 * budget (about 800 repeats of one field), which say neither what was found nor what to change.
 */
const VALIDATION_ABORTED = 'Validation aborted.';
export const TOO_MANY_FIELDS_MESSAGE =
  'The operation repeats or overlaps too many fields for the router to check them against each ' +
  'other; remove the repeated fields or split the operation';

/**
 * graphql-js's parser recurses once per level of lists, objects and selections, so a document of
 * lists nested within the token limit (from about 1,600 levels down, depending on the call that
 * parses it) overflows the stack before it reaches its last token. Over HTTP Apollo Server
 * answers the RangeError's own words, "Maximum call stack size exceeded", as a parse failure.
 */
const STACK_OVERFLOW = 'Maximum call stack size exceeded';
export const TOO_DEEPLY_NESTED_MESSAGE =
  'The operation nests lists, objects or selections too deeply for the router to read it; ' +
  `nest them less (fields at most ${operationLimits.maxDepth} deep)`;

function inRoutersWords<E extends { message: string }>(
  error: E,
  reword: (message: string) => E,
): E {
  if (PARSER_TOKEN_LIMIT.test(error.message)) return reword(TOKEN_LIMIT_MESSAGE);
  if (error.message === STACK_OVERFLOW) return reword(TOO_DEEPLY_NESTED_MESSAGE);
  if (error.message === VALIDATION_ABORTED) return reword(TOO_MANY_FIELDS_MESSAGE);
  return error;
}

export function operationProtection(): OperationProtection {
  const { plugins, validationRules } = new ApolloArmor({
    // Depth and cost are the fields a query reaches: a fragment spread is not a level of its own
    // (armor counts one by default, so a query written with colocated fragments was refused
    // as several times deeper and costlier than the same query written out).
    maxDepth: {
      n: operationLimits.maxDepth,
      flattenFragments: true,
      ...refusedAs(operationLimits.maxDepth, (found) => `The operation is ${found} fields deep`),
    },
    // Armor leaves aliases of __typename out by default: 600 of them were answered.
    maxAliases: {
      n: operationLimits.maxAliases,
      allowList: [],
      ...refusedAs(operationLimits.maxAliases, (found) => `The operation has ${found} aliases`),
    },
    maxDirectives: {
      n: operationLimits.maxDirectives,
      ...refusedAs(
        operationLimits.maxDirectives,
        (found) => `The operation has ${found} directives`,
      ),
    },
    // Counted by graphql-js's own parser instead (`parseOptions`): armor's token check throws
    // from a plugin hook, which Apollo Server answers with a 500.
    maxTokens: { enabled: false },
    // A coarse bound on the document's shape (fields weighted by depth), checked at validation;
    // what an operation reads is counted by demand control (ROUTER_MAX_COST).
    costLimit: {
      maxCost: operationLimits.maxCost,
      flattenFragments: true,
      ...refusedAs(
        operationLimits.maxCost,
        (found) => `The operation's fields, weighted by depth, count ${found}`,
      ),
    },
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
    parse(source) {
      try {
        return parse(source, parseOptions);
      } catch (error) {
        // graphql-ws and SSE parse here: the overflow is refused as it is over HTTP.
        if (error instanceof RangeError && error.message === STACK_OVERFLOW)
          throw new GraphQLError(TOO_DEEPLY_NESTED_MESSAGE);
        if (!(error instanceof GraphQLError)) throw error;
        throw inRoutersWords(
          error,
          (message) => new GraphQLError(message, { extensions: error.extensions }),
        );
      }
    },
    formatError: (formatted) => inRoutersWords(formatted, (message) => ({ ...formatted, message })),
    validationError: (error) =>
      inRoutersWords(
        error,
        (message) => new GraphQLError(message, { extensions: error.extensions }),
      ),
  };
}
