import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * `Numeric` hands resolvers the number exactly as written: an Int or Float literal's source
 * text, or a string. Whether it is a well-formed number is the resolver's call, so the error
 * can name the argument and the rule.
 */
export const NumericScalar = new GraphQLScalarType<string, string>({
  name: 'Numeric',
  serialize: (value) => String(value),
  parseValue(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw new GraphQLError('Numeric: expected a number or a numeric string', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING)
      return ast.value;
    throw new GraphQLError('Numeric: expected a number or a numeric string', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  },
});
