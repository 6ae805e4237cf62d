/**
 * The client's GraphQL Code Generator target: typed documents for `client/src` with the client
 * preset. The root `codegen.ts` spreads `clientGenerates` into its `generates`; this file also
 * runs alone (`npm run codegen -w client`). Paths are resolved from this file, so both work
 * whatever the working directory.
 */
import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const fromClient = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const clientGenerates = {
  [fromClient('./src/gql/')]: {
    preset: 'client',
    // The composed supergraph is what the router serves; its join directives are declared in
    // the file itself, so it loads as an ordinary schema.
    schema: fromClient('../schema/supergraph.graphql'),
    documents: [
      fromClient('./src/**/*.vue'),
      fromClient('./src/**/*.ts'),
      `!${fromClient('./src/gql/**')}`,
      `!${fromClient('./src/**/*.test.ts')}`,
    ],
    config: {
      useTypeImports: true,
      enumsAsTypes: true,
      scalars: { DateTime: 'string', Numeric: 'string' },
    },
    presetConfig: { fragmentMasking: { unmaskFunctionName: 'getFragmentData' } },
  },
} satisfies CodegenConfig['generates'];

const config: CodegenConfig = { overwrite: true, generates: clientGenerates };
export default config;
