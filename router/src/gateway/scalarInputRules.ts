/**
 * The gateway builds its API schema from the supergraph, which names custom scalars but carries
 * none of their rules: to the gateway any JSON value is a `Numeric`. A `true`, an object, a
 * 5,000-deep array or a JSON `1e999` (Infinity once parsed) therefore went on to math, which
 * refused it with HTTP 400, and the gateway passed that on as an INTERNAL_SERVER_ERROR (the
 * deep array did not even get that far: serialising it overflowed the router's stack).
 *
 * Giving the API schema's scalars the subgraphs' own input rules refuses such values at the
 * router, exactly as it refuses a string for an `Int`: a literal fails validation, a variable
 * fails coercion, and both are answered 400 BAD_USER_INPUT naming the argument (argumentErrors.ts).
 */
import { DateTimeScalar, NumericScalar } from '@microservice-math/shared/scalars';
import { isScalarType, type GraphQLScalarType, type GraphQLSchema } from 'graphql';

const sharedScalars: GraphQLScalarType[] = [
  NumericScalar as GraphQLScalarType,
  DateTimeScalar as GraphQLScalarType,
];

/** Gives `schema`'s custom scalars the input rules of the subgraphs' implementations. */
export function applyScalarInputRules(schema: GraphQLSchema): void {
  for (const implementation of sharedScalars) {
    const type = schema.getType(implementation.name);
    if (!isScalarType(type)) continue;
    type.parseValue = implementation.parseValue;
    type.parseLiteral = implementation.parseLiteral;
  }
}
