import { GraphQLError } from 'graphql';
import type { CalculationResolvers } from '../generated/resolvers.js';

export const Calculation: CalculationResolvers = {
  /**
   * The calculator writes the text only when the operation selects `result` (Query.ts), so it is
   * here whenever this runs; if that ever fails, say so rather than answer an empty string.
   */
  result: ({ result }) => {
    if (result === undefined) throw new GraphQLError('The result text was not computed');
    return result;
  },
};
