/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> =
  T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Operation = 'FACTORIAL' | 'FIBONACCI' | 'POWER';

export type CurrentUserQueryVariables = Exact<{ [key: string]: never }>;

export type CurrentUserQuery = { me: { id: string; username: string } | null };

export type SignInPage_AuthPayloadFragment = {
  token: string;
  expiresAt: string;
  user: { id: string; username: string };
} & { ' $fragmentName'?: 'SignInPage_AuthPayloadFragment' };

export type SignInMutationVariables = Exact<{
  username: string;
  password: string;
}>;

export type SignInMutation = {
  login: { ' $fragmentRefs'?: { SignInPage_AuthPayloadFragment: SignInPage_AuthPayloadFragment } };
};

export type RegisterMutationVariables = Exact<{
  username: string;
  password: string;
}>;

export type RegisterMutation = {
  register: {
    ' $fragmentRefs'?: { SignInPage_AuthPayloadFragment: SignInPage_AuthPayloadFragment };
  };
};

export type CalculationResult_CalculationFragment = {
  operation: Operation;
  input: string;
  result: string;
  exact: boolean;
  digits: number;
  cached: boolean;
  durationMs: number;
} & { ' $fragmentName'?: 'CalculationResult_CalculationFragment' };

export type CalculatorPanel_CalculationFragment = ({
  operation: Operation;
  input: string;
  digits: number;
  exact: boolean;
  cached: boolean;
  durationMs: number;
  log: { id: string } & {
    ' $fragmentRefs'?: { RequestLogRow_RequestLogFragment: RequestLogRow_RequestLogFragment };
  };
} & {
  ' $fragmentRefs'?: {
    CalculationResult_CalculationFragment: CalculationResult_CalculationFragment;
  };
}) & { ' $fragmentName'?: 'CalculatorPanel_CalculationFragment' };

export type PowerQueryVariables = Exact<{
  base: string;
  exponent: string;
}>;

export type PowerQuery = {
  power: {
    ' $fragmentRefs'?: { CalculatorPanel_CalculationFragment: CalculatorPanel_CalculationFragment };
  };
};

export type FactorialQueryVariables = Exact<{
  n: number;
}>;

export type FactorialQuery = {
  factorial: {
    ' $fragmentRefs'?: { CalculatorPanel_CalculationFragment: CalculatorPanel_CalculationFragment };
  };
};

export type FibonacciQueryVariables = Exact<{
  n: number;
}>;

export type FibonacciQuery = {
  fibonacci: {
    ' $fragmentRefs'?: { CalculatorPanel_CalculationFragment: CalculatorPanel_CalculationFragment };
  };
};

export type RequestLogRow_RequestLogFragment = {
  id: string;
  operation: Operation;
  input: string;
  resultPreview: string;
  digits: number;
  cached: boolean;
  durationMs: number;
  createdAt: string;
} & { ' $fragmentName'?: 'RequestLogRow_RequestLogFragment' };

export type RecentLogsQueryVariables = Exact<{
  limit: number;
}>;

export type RecentLogsQuery = {
  recentLogs: Array<
    { id: string } & {
      ' $fragmentRefs'?: { RequestLogRow_RequestLogFragment: RequestLogRow_RequestLogFragment };
    }
  >;
};

export type LogAddedSubscriptionVariables = Exact<{ [key: string]: never }>;

export type LogAddedSubscription = {
  logAdded: { id: string } & {
    ' $fragmentRefs'?: { RequestLogRow_RequestLogFragment: RequestLogRow_RequestLogFragment };
  };
};

export const SignInPage_AuthPayloadFragmentDoc = {
  kind: 'Document',
  definitions: [
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'SignInPage_AuthPayload' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'AuthPayload' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'token' } },
          { kind: 'Field', name: { kind: 'Name', value: 'expiresAt' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'user' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                { kind: 'Field', name: { kind: 'Name', value: 'username' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<SignInPage_AuthPayloadFragment, unknown>;
export const RequestLogRow_RequestLogFragmentDoc = {
  kind: 'Document',
  definitions: [
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RequestLogRow_RequestLogFragment, unknown>;
export const CalculationResult_CalculationFragmentDoc = {
  kind: 'Document',
  definitions: [
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculationResult_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'result' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
        ],
      },
    },
  ],
} as unknown as DocumentNode<CalculationResult_CalculationFragment, unknown>;
export const CalculatorPanel_CalculationFragmentDoc = {
  kind: 'Document',
  definitions: [
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'log' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
                },
              ],
            },
          },
          {
            kind: 'FragmentSpread',
            name: { kind: 'Name', value: 'CalculationResult_Calculation' },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculationResult_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'result' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
        ],
      },
    },
  ],
} as unknown as DocumentNode<CalculatorPanel_CalculationFragment, unknown>;
export const CurrentUserDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'CurrentUser' },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'me' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                { kind: 'Field', name: { kind: 'Name', value: 'username' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<CurrentUserQuery, CurrentUserQueryVariables>;
export const SignInDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'SignIn' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'username' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } },
          },
        },
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'password' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'login' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'username' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'username' } },
              },
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'password' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'password' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'FragmentSpread', name: { kind: 'Name', value: 'SignInPage_AuthPayload' } },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'SignInPage_AuthPayload' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'AuthPayload' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'token' } },
          { kind: 'Field', name: { kind: 'Name', value: 'expiresAt' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'user' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                { kind: 'Field', name: { kind: 'Name', value: 'username' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<SignInMutation, SignInMutationVariables>;
export const RegisterDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'mutation',
      name: { kind: 'Name', value: 'Register' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'username' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } },
          },
        },
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'password' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'String' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'register' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'username' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'username' } },
              },
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'password' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'password' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'FragmentSpread', name: { kind: 'Name', value: 'SignInPage_AuthPayload' } },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'SignInPage_AuthPayload' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'AuthPayload' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'token' } },
          { kind: 'Field', name: { kind: 'Name', value: 'expiresAt' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'user' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                { kind: 'Field', name: { kind: 'Name', value: 'username' } },
              ],
            },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RegisterMutation, RegisterMutationVariables>;
export const PowerDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'Power' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'base' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'Numeric' } },
          },
        },
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'exponent' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'Numeric' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'power' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'base' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'base' } },
              },
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'exponent' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'exponent' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
                },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculationResult_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'result' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'log' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
                },
              ],
            },
          },
          {
            kind: 'FragmentSpread',
            name: { kind: 'Name', value: 'CalculationResult_Calculation' },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<PowerQuery, PowerQueryVariables>;
export const FactorialDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'Factorial' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'n' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'Int' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'factorial' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'n' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'n' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
                },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculationResult_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'result' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'log' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
                },
              ],
            },
          },
          {
            kind: 'FragmentSpread',
            name: { kind: 'Name', value: 'CalculationResult_Calculation' },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<FactorialQuery, FactorialQueryVariables>;
export const FibonacciDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'Fibonacci' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'n' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'Int' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'fibonacci' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'n' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'n' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
                },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculationResult_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'result' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'CalculatorPanel_Calculation' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'Calculation' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'exact' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'log' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
                },
              ],
            },
          },
          {
            kind: 'FragmentSpread',
            name: { kind: 'Name', value: 'CalculationResult_Calculation' },
          },
        ],
      },
    },
  ],
} as unknown as DocumentNode<FibonacciQuery, FibonacciQueryVariables>;
export const RecentLogsDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'query',
      name: { kind: 'Name', value: 'RecentLogs' },
      variableDefinitions: [
        {
          kind: 'VariableDefinition',
          variable: { kind: 'Variable', name: { kind: 'Name', value: 'limit' } },
          type: {
            kind: 'NonNullType',
            type: { kind: 'NamedType', name: { kind: 'Name', value: 'Int' } },
          },
        },
      ],
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'recentLogs' },
            arguments: [
              {
                kind: 'Argument',
                name: { kind: 'Name', value: 'limit' },
                value: { kind: 'Variable', name: { kind: 'Name', value: 'limit' } },
              },
            ],
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
                },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
  ],
} as unknown as DocumentNode<RecentLogsQuery, RecentLogsQueryVariables>;
export const LogAddedDocument = {
  kind: 'Document',
  definitions: [
    {
      kind: 'OperationDefinition',
      operation: 'subscription',
      name: { kind: 'Name', value: 'LogAdded' },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          {
            kind: 'Field',
            name: { kind: 'Name', value: 'logAdded' },
            selectionSet: {
              kind: 'SelectionSet',
              selections: [
                { kind: 'Field', name: { kind: 'Name', value: 'id' } },
                {
                  kind: 'FragmentSpread',
                  name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
                },
              ],
            },
          },
        ],
      },
    },
    {
      kind: 'FragmentDefinition',
      name: { kind: 'Name', value: 'RequestLogRow_RequestLog' },
      typeCondition: { kind: 'NamedType', name: { kind: 'Name', value: 'RequestLog' } },
      selectionSet: {
        kind: 'SelectionSet',
        selections: [
          { kind: 'Field', name: { kind: 'Name', value: 'id' } },
          { kind: 'Field', name: { kind: 'Name', value: 'operation' } },
          { kind: 'Field', name: { kind: 'Name', value: 'input' } },
          { kind: 'Field', name: { kind: 'Name', value: 'resultPreview' } },
          { kind: 'Field', name: { kind: 'Name', value: 'digits' } },
          { kind: 'Field', name: { kind: 'Name', value: 'cached' } },
          { kind: 'Field', name: { kind: 'Name', value: 'durationMs' } },
          { kind: 'Field', name: { kind: 'Name', value: 'createdAt' } },
        ],
      },
    },
  ],
} as unknown as DocumentNode<LogAddedSubscription, LogAddedSubscriptionVariables>;
