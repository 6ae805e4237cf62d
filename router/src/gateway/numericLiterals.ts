/**
 * Keeps `Numeric` literals as written on their way to the subgraphs. When the gateway plans an
 * operation it reads every custom-scalar literal with parseInt/parseFloat
 * (@apollo/federation-internals `valueFromASTUntyped`) and prints that double back into the
 * subgraph request: `123456789012345678901234567890` reached math as `1.2345678901234568e+29`
 * and `1e400` as `Infinity`, which math cannot parse (HTTP 500 for the whole operation).
 *
 * So, before the gateway sees the document, every Int or Float literal in a `Numeric` position
 * (arguments, variable defaults, list items, input fields) becomes a String literal with the same
 * text. `Numeric` accepts both alike, so the operation means what it did; strings are kept as
 * they are by the planner. Every transport (HTTP, graphql-ws, SSE) runs through the gateway's
 * executor, so this one seam covers them all.
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  getNamedType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLSchema,
  type StringValueNode,
} from 'graphql';

const NUMERIC = 'Numeric';

type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/** The document with every Int/Float literal of type `Numeric` written as a string literal. */
export function numericLiteralsAsStrings(
  schema: GraphQLSchema,
  document: DocumentNode,
): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  const asString = (node: {
    value: string;
    loc?: StringValueNode['loc'];
  }): StringValueNode | undefined =>
    getNamedType(typeInfo.getInputType())?.name === NUMERIC
      ? { kind: Kind.STRING, value: node.value, ...(node.loc ? { loc: node.loc } : {}) }
      : undefined;
  return visit(document, visitWithTypeInfo(typeInfo, { IntValue: asString, FloatValue: asString }));
}

/**
 * The gateway with `numericLiteralsAsStrings` applied to each operation it executes. Apollo
 * caches parsed documents, so the rewrite is remembered per document object.
 */
export function keepNumericLiteralsAsWritten(gateway: GatewayInterface): GatewayInterface {
  const rewritten = new WeakMap<DocumentNode, DocumentNode>();
  return {
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    async load(options) {
      const loaded = await gateway.load(options);
      const { executor } = loaded;
      if (!executor) return loaded;
      return {
        ...loaded,
        executor: (requestContext) => {
          const { document, schema } = requestContext;
          let exact = rewritten.get(document);
          if (!exact) {
            exact = numericLiteralsAsStrings(schema, document);
            rewritten.set(document, exact);
          }
          return executor({ ...requestContext, document: exact });
        },
      };
    },
  };
}
