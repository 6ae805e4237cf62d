export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date and time in UTC, e.g. 2026-11-26T06:05:30.000Z. */
  DateTime: { input: string; output: string; }
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
