import type { CodegenConfig } from '@graphql-codegen/cli';
import { clientGenerates } from './client/codegen.client.js';

/** Resolver types shared by both subgraphs: federation-aware, strict, mapped to ORM entities. */
const resolverConfig = {
  federation: true,
  useIndexSignature: true,
  useTypeImports: true,
  enumsAsTypes: true,
  strictScalars: true,
  mapperTypeSuffix: 'Entity',
  avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
};

const config: CodegenConfig = {
  overwrite: true,
  generates: {
    ...clientGenerates,
    'subgraphs/auth/src/generated/resolvers.ts': {
      schema: 'schema/auth.graphql',
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        ...resolverConfig,
        contextType: '../context.js#AuthContext',
        scalars: { DateTime: { input: 'Date', output: 'Date | string' }, _FieldSet: 'string' },
        mappers: { User: '../entities/User.js#User' },
      },
    },
    // Math's schema types as plain TypeScript, with no imports: the log event's contract
    // (packages/shared/src/logAddedEvent.ts), which publisher (math) and subscriber (router) build
    // the event's type from, and what math's operation modules and kernels name (`Operation`, the
    // Query fields), loaded in compute workers, which must not reach the resolvers' context.
    'packages/shared/src/generated/mathTypes.ts': {
      schema: 'schema/math.graphql',
      plugins: ['typescript'],
      config: {
        ...resolverConfig,
        scalars: { DateTime: 'string', Numeric: 'string', _FieldSet: 'string' },
      },
    },
    'subgraphs/math/src/generated/resolvers.ts': {
      schema: 'schema/math.graphql',
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        ...resolverConfig,
        contextType: '../context.js#MathContext',
        scalars: {
          DateTime: { input: 'Date', output: 'Date | string' },
          Numeric: 'string',
          _FieldSet: 'string',
        },
        mappers: {
          RequestLog: '../logs/RequestLog.js#RequestLogRecord',
          Calculation: '../calculations/calculation.js#CalculationOutcome',
          User: '../logs/RequestLog.js#UserReference',
        },
      },
    },
  },
};

export default config;
