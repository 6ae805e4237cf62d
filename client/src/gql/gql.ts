/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query CurrentUser {\n    me {\n      id\n      username\n    }\n  }\n": typeof types.CurrentUserDocument,
    "\n  mutation SignIn($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n": typeof types.SignInDocument,
    "\n  mutation Register($username: String!, $password: String!) {\n    register(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  fragment CalculationResult_Calculation on Calculation {\n    operation\n    input\n    result\n    exact\n    fraction\n    digits\n    cached\n    durationMs\n  }\n": typeof types.CalculationResult_CalculationFragmentDoc,
    "\n  fragment CalculatorPanel_Calculation on Calculation {\n    operation\n    input\n    digits\n    exact\n    cached\n    durationMs\n    log {\n      id\n      ...RequestLogRow_RequestLog\n    }\n    ...CalculationResult_Calculation\n  }\n": typeof types.CalculatorPanel_CalculationFragmentDoc,
    "\n  query Power($base: Numeric!, $exponent: Numeric!, $precision: Int) {\n    power(base: $base, exponent: $exponent, precision: $precision) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n": typeof types.PowerDocument,
    "\n  query Factorial($n: Int!) {\n    factorial(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n": typeof types.FactorialDocument,
    "\n  query Fibonacci($n: Int!) {\n    fibonacci(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n": typeof types.FibonacciDocument,
    "\n  fragment RequestLogRow_RequestLog on RequestLog {\n    id\n    operation\n    input\n    resultPreview\n    digits\n    cached\n    durationMs\n    status\n    createdAt\n  }\n": typeof types.RequestLogRow_RequestLogFragmentDoc,
    "\n  query RecentLogs($limit: Int!, $before: ID) {\n    recentLogs(limit: $limit, before: $before, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n": typeof types.RecentLogsDocument,
    "\n  subscription LogAdded($after: ID) {\n    logAdded(after: $after, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n": typeof types.LogAddedDocument,
    "\n  mutation RenewToken {\n    renewToken {\n      ...SessionFields_AuthPayload\n    }\n  }\n": typeof types.RenewTokenDocument,
    "\n  mutation Logout {\n    logout\n  }\n": typeof types.LogoutDocument,
    "\n  fragment SessionFields_AuthPayload on AuthPayload {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n": typeof types.SessionFields_AuthPayloadFragmentDoc,
};
const documents: Documents = {
    "\n  query CurrentUser {\n    me {\n      id\n      username\n    }\n  }\n": types.CurrentUserDocument,
    "\n  mutation SignIn($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n": types.SignInDocument,
    "\n  mutation Register($username: String!, $password: String!) {\n    register(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n": types.RegisterDocument,
    "\n  fragment CalculationResult_Calculation on Calculation {\n    operation\n    input\n    result\n    exact\n    fraction\n    digits\n    cached\n    durationMs\n  }\n": types.CalculationResult_CalculationFragmentDoc,
    "\n  fragment CalculatorPanel_Calculation on Calculation {\n    operation\n    input\n    digits\n    exact\n    cached\n    durationMs\n    log {\n      id\n      ...RequestLogRow_RequestLog\n    }\n    ...CalculationResult_Calculation\n  }\n": types.CalculatorPanel_CalculationFragmentDoc,
    "\n  query Power($base: Numeric!, $exponent: Numeric!, $precision: Int) {\n    power(base: $base, exponent: $exponent, precision: $precision) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n": types.PowerDocument,
    "\n  query Factorial($n: Int!) {\n    factorial(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n": types.FactorialDocument,
    "\n  query Fibonacci($n: Int!) {\n    fibonacci(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n": types.FibonacciDocument,
    "\n  fragment RequestLogRow_RequestLog on RequestLog {\n    id\n    operation\n    input\n    resultPreview\n    digits\n    cached\n    durationMs\n    status\n    createdAt\n  }\n": types.RequestLogRow_RequestLogFragmentDoc,
    "\n  query RecentLogs($limit: Int!, $before: ID) {\n    recentLogs(limit: $limit, before: $before, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n": types.RecentLogsDocument,
    "\n  subscription LogAdded($after: ID) {\n    logAdded(after: $after, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n": types.LogAddedDocument,
    "\n  mutation RenewToken {\n    renewToken {\n      ...SessionFields_AuthPayload\n    }\n  }\n": types.RenewTokenDocument,
    "\n  mutation Logout {\n    logout\n  }\n": types.LogoutDocument,
    "\n  fragment SessionFields_AuthPayload on AuthPayload {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n": types.SessionFields_AuthPayloadFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CurrentUser {\n    me {\n      id\n      username\n    }\n  }\n"): (typeof documents)["\n  query CurrentUser {\n    me {\n      id\n      username\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignIn($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n"): (typeof documents)["\n  mutation SignIn($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($username: String!, $password: String!) {\n    register(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n"): (typeof documents)["\n  mutation Register($username: String!, $password: String!) {\n    register(username: $username, password: $password) {\n      ...SessionFields_AuthPayload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CalculationResult_Calculation on Calculation {\n    operation\n    input\n    result\n    exact\n    fraction\n    digits\n    cached\n    durationMs\n  }\n"): (typeof documents)["\n  fragment CalculationResult_Calculation on Calculation {\n    operation\n    input\n    result\n    exact\n    fraction\n    digits\n    cached\n    durationMs\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CalculatorPanel_Calculation on Calculation {\n    operation\n    input\n    digits\n    exact\n    cached\n    durationMs\n    log {\n      id\n      ...RequestLogRow_RequestLog\n    }\n    ...CalculationResult_Calculation\n  }\n"): (typeof documents)["\n  fragment CalculatorPanel_Calculation on Calculation {\n    operation\n    input\n    digits\n    exact\n    cached\n    durationMs\n    log {\n      id\n      ...RequestLogRow_RequestLog\n    }\n    ...CalculationResult_Calculation\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Power($base: Numeric!, $exponent: Numeric!, $precision: Int) {\n    power(base: $base, exponent: $exponent, precision: $precision) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n"): (typeof documents)["\n  query Power($base: Numeric!, $exponent: Numeric!, $precision: Int) {\n    power(base: $base, exponent: $exponent, precision: $precision) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Factorial($n: Int!) {\n    factorial(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n"): (typeof documents)["\n  query Factorial($n: Int!) {\n    factorial(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Fibonacci($n: Int!) {\n    fibonacci(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n"): (typeof documents)["\n  query Fibonacci($n: Int!) {\n    fibonacci(n: $n) {\n      ...CalculatorPanel_Calculation\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RequestLogRow_RequestLog on RequestLog {\n    id\n    operation\n    input\n    resultPreview\n    digits\n    cached\n    durationMs\n    status\n    createdAt\n  }\n"): (typeof documents)["\n  fragment RequestLogRow_RequestLog on RequestLog {\n    id\n    operation\n    input\n    resultPreview\n    digits\n    cached\n    durationMs\n    status\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecentLogs($limit: Int!, $before: ID) {\n    recentLogs(limit: $limit, before: $before, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n"): (typeof documents)["\n  query RecentLogs($limit: Int!, $before: ID) {\n    recentLogs(limit: $limit, before: $before, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LogAdded($after: ID) {\n    logAdded(after: $after, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n"): (typeof documents)["\n  subscription LogAdded($after: ID) {\n    logAdded(after: $after, includeRefused: true) {\n      id\n      ...RequestLogRow_RequestLog\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RenewToken {\n    renewToken {\n      ...SessionFields_AuthPayload\n    }\n  }\n"): (typeof documents)["\n  mutation RenewToken {\n    renewToken {\n      ...SessionFields_AuthPayload\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionFields_AuthPayload on AuthPayload {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n"): (typeof documents)["\n  fragment SessionFields_AuthPayload on AuthPayload {\n    token\n    expiresAt\n    user {\n      id\n      username\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;