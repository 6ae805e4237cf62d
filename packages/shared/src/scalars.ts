import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { badScalarInput } from './errors.js';

/** `Date.prototype.toISOString`'s own form: such a string is served as it is. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: string): Date {
  const date = new Date(value);
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(date.getTime())) {
    throw badScalarInput('DateTime: expected an ISO-8601 date and time');
  }
  return date;
}

/** ISO-8601 in UTC on output; entities carry `Date`, events carry the ISO string. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    // Logs carry their time already in this form (a list of thousands need not re-parse it).
    if (typeof value === 'string' && CANONICAL_UTC.test(value)) return value;
    if (typeof value === 'string' || typeof value === 'number')
      return new Date(value).toISOString();
    throw new GraphQLError('DateTime: cannot serialize this value');
  },
  parseValue(value) {
    if (typeof value !== 'string') throw new GraphQLError('DateTime: expected a string');
    return parseDateTime(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badScalarInput('DateTime: expected a string', ast);
    try {
      return parseDateTime(ast.value);
    } catch {
      throw badScalarInput('DateTime: expected an ISO-8601 date and time', ast);
    }
  },
});

/**
 * `Numeric` hands resolvers the number exactly as written: an Int or Float literal's source
 * text, or a string. Whether it is a well-formed number is the resolver's call, so the error
 * can name the argument and the rule. The router applies the same input rules to its API
 * schema, so anything else is refused before it reaches math.
 */
export const NumericScalar = new GraphQLScalarType<string, string>({
  name: 'Numeric',
  serialize: (value) => String(value),
  parseValue(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    throw badScalarInput('Numeric: expected a number or a numeric string');
  },
  parseLiteral(ast) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING)
      return ast.value;
    throw badScalarInput('Numeric: expected a number or a numeric string', ast);
  },
});
