import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { RequestLogRecord as RequestLogRecordEntity, UserReference as UserReferenceEntity } from '../logs/RequestLog.js';
import type { CalculationOutcome as CalculationOutcomeEntity } from '../calculations/calculation.js';
import type { MathContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date and time in UTC, e.g. 2026-11-26T06:05:30.000Z. */
  DateTime: { input: Date; output: Date | string; }
  /**
   * An exact rational number: an Int or Float literal, a numeric string such as "1.5" or "-12e3", or
   * a fraction string "p/q" of two integers with q > 0, such as "1/3" or "-22/7". Never rounded on input.
   */
  Numeric: { input: string; output: string; }
  _FieldSet: { input: string; output: string; }
};

/** One calculation's answer. */
export type Calculation = {
  __typename?: 'Calculation';
  /**
   * Whether the answer was read from the cache (Redis, or this math instance's memory) rather than
   * computed for this request. Identical requests in flight at once share one computation; those
   * on the instance computing it are answered with it, not cached.
   */
  cached: Scalars['Boolean']['output'];
  /** Decimal digits in result; sign, point and exponent excluded. */
  digits: Scalars['Int']['output'];
  durationMs: Scalars['Float']['output'];
  /** True when result is the answer itself, not a rounding of it. */
  exact: Scalars['Boolean']['output'];
  /**
   * A rational answer with no finite decimal, in lowest terms: "1/9", "-1/3". Null when result is
   * exact, and for irrational answers.
   */
  fraction: Maybe<Scalars['String']['output']>;
  /** Canonical JSON of the arguments, e.g. {"n":10}. */
  input: Scalars['String']['output'];
  log: RequestLog;
  operation: Operation;
  /**
   * The answer in plain decimal. Exact when `exact` is true; otherwise (a rational answer with no
   * finite decimal, or an irrational one) rounded to nearest at `precision`
   * significant digits.
   */
  result: Scalars['String']['output'];
};

export type Operation =
  | 'FACTORIAL'
  | 'FIBONACCI'
  | 'POWER';

export type Query = {
  __typename?: 'Query';
  /** n! for n >= 0. Null with an error when refused. */
  factorial: Maybe<Calculation>;
  /** The n-th Fibonacci number; negative n allowed: F(-n) = (-1)^(n+1) F(n). Null with an error when refused. */
  fibonacci: Maybe<Calculation>;
  /**
   * base raised to exponent. Exact whenever the answer is rational; otherwise correctly rounded to
   * precision significant digits (1 or more, at most the digit budget). Null with an error when
   * refused; other fields of the operation keep their answers.
   */
  power: Maybe<Calculation>;
  /**
   * The caller's logs, newest first; limit 1 to 100; before: only those older than that log (its id
   * is its cursor); includeRefused: also the refused and cancelled ones (status other than ok);
   * answeredAfter (a log id): only the refusals that a retry's answer replaced (same id) after
   * that log was made, which a feed resuming after it has not seen answered.
   */
  recentLogs: Array<RequestLog>;
};


export type QueryFactorialArgs = {
  n: Scalars['Int']['input'];
};


export type QueryFibonacciArgs = {
  n: Scalars['Int']['input'];
};


export type QueryPowerArgs = {
  base: Scalars['Numeric']['input'];
  exponent: Scalars['Numeric']['input'];
  precision?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRecentLogsArgs = {
  answeredAfter?: InputMaybe<Scalars['ID']['input']>;
  before?: InputMaybe<Scalars['ID']['input']>;
  includeRefused?: InputMaybe<Scalars['Boolean']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};

/** A record of one calculation request. */
export type RequestLog = {
  __typename?: 'RequestLog';
  cached: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  digits: Scalars['Int']['output'];
  durationMs: Scalars['Float']['output'];
  /** Also the log's cursor: it orders a user's logs. */
  id: Scalars['ID']['output'];
  /** The arguments as canonical JSON, cut to 1,024 characters; counts 4 toward an operation's cost. */
  input: Scalars['String']['output'];
  operation: Operation;
  /** The whole result when short, else its leading and trailing digits around an ellipsis. */
  resultPreview: Scalars['String']['output'];
  /**
   * ok for an answered calculation, else the error code its caller was given (RESULT_TOO_LARGE,
   * CANCELLED, COMPUTATION_TIMEOUT, …); a refused one has an empty resultPreview and 0 digits.
   */
  status: Scalars['String']['output'];
  user: User;
};

export type Subscription = {
  __typename?: 'Subscription';
  /**
   * The caller's new logs, live, over graphql-ws on the router's /graphql; after: first those newer
   * than that log (the newest one seen), after those made up to 5 s before it (one may have been
   * published late), so a client resumes with no gap; it drops the logs it already has by id;
   * includeRefused: refused and cancelled requests as well (status says which), not only answers.
   */
  logAdded: RequestLog;
};


export type SubscriptionLogAddedArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  includeRefused?: InputMaybe<Scalars['Boolean']['input']>;
};

export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  /**
   * This user's calculations, newest first; limit 1 to 100; before: only those older than that log
   * (its id is its cursor); includeRefused: also the refused and cancelled ones (status other than ok).
   */
  logs: Array<RequestLog>;
};


export type UserLogsArgs = {
  before?: InputMaybe<Scalars['ID']['input']>;
  includeRefused?: InputMaybe<Scalars['Boolean']['input']>;
  limit?: InputMaybe<Scalars['Int']['input']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  RequestLog: RequestLog;
  User: User;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  RequestLog:
    ( { __typename: 'RequestLog' }
    & GraphQLRecursivePick<FederationTypes['RequestLog'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  Calculation: ResolverTypeWrapper<CalculationOutcomeEntity>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Numeric: ResolverTypeWrapper<Scalars['Numeric']['output']>;
  Operation: Operation;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  RequestLog: ResolverTypeWrapper<RequestLogRecordEntity>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<UserReferenceEntity>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  Calculation: CalculationOutcomeEntity;
  Boolean: Scalars['Boolean']['output'];
  Int: Scalars['Int']['output'];
  Float: Scalars['Float']['output'];
  String: Scalars['String']['output'];
  DateTime: Scalars['DateTime']['output'];
  Numeric: Scalars['Numeric']['output'];
  Query: Record<PropertyKey, never>;
  ID: Scalars['ID']['output'];
  RequestLog: RequestLogRecordEntity;
  Subscription: Record<PropertyKey, never>;
  User: UserReferenceEntity;
}>;

export type CalculationResolvers<ContextType = MathContext, ParentType extends ResolversParentTypes['Calculation'] = ResolversParentTypes['Calculation']> = ResolversObject<{
  cached?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  digits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  exact?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  fraction?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  input?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  log?: Resolver<ResolversTypes['RequestLog'], ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['Operation'], ParentType, ContextType>;
  result?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface NumericScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Numeric'], any> {
  name: 'Numeric';
}

export type QueryResolvers<ContextType = MathContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  factorial?: Resolver<Maybe<ResolversTypes['Calculation']>, ParentType, ContextType, RequireFields<QueryFactorialArgs, 'n'>>;
  fibonacci?: Resolver<Maybe<ResolversTypes['Calculation']>, ParentType, ContextType, RequireFields<QueryFibonacciArgs, 'n'>>;
  power?: Resolver<Maybe<ResolversTypes['Calculation']>, ParentType, ContextType, RequireFields<QueryPowerArgs, 'base' | 'exponent' | 'precision'>>;
  recentLogs?: Resolver<Array<ResolversTypes['RequestLog']>, ParentType, ContextType, RequireFields<QueryRecentLogsArgs, 'includeRefused' | 'limit'>>;
}>;

export type RequestLogResolvers<ContextType = MathContext, ParentType extends ResolversParentTypes['RequestLog'] = ResolversParentTypes['RequestLog'], FederationReferenceType extends FederationReferenceTypes['RequestLog'] = FederationReferenceTypes['RequestLog']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['RequestLog']> | FederationReferenceType, FederationReferenceType, ContextType>;
  cached?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  digits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  durationMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  input?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  operation?: Resolver<ResolversTypes['Operation'], ParentType, ContextType>;
  resultPreview?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  user?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = MathContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  logAdded?: SubscriptionResolver<ResolversTypes['RequestLog'], "logAdded", ParentType, ContextType, RequireFields<SubscriptionLogAddedArgs, 'includeRefused'>>;
}>;

export type UserResolvers<ContextType = MathContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  logs?: Resolver<Array<ResolversTypes['RequestLog']>, ParentType, ContextType, RequireFields<UserLogsArgs, 'includeRefused' | 'limit'>>;
}>;

export type Resolvers<ContextType = MathContext> = ResolversObject<{
  Calculation?: CalculationResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Numeric?: GraphQLScalarType;
  Query?: QueryResolvers<ContextType>;
  RequestLog?: RequestLogResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
}>;

