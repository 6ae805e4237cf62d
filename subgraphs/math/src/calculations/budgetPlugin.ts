/**
 * Plans an operation before any field resolves: each math field's task and predicted size
 * (plan.ts), kept in the context for the resolvers, and their sizes summed into the digit
 * budget. Without it the fields would reserve one by one as they resolve, and an operation over
 * budget would have its first fields computed before a later one was refused.
 * Fields with bad arguments count nothing here; their resolvers refuse them with the plan's error.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { rootQueryFields } from '@microservice-math/shared/selection';
import type { MathContext } from '../context.js';
import { calculationRequest } from './arguments.js';
import type { CalculationRequest } from './calculation.js';
import { planCalculation } from './plan.js';

export function digitBudgetPlugin(): ApolloServerPlugin<MathContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          const fields = rootQueryFields(schema, document, operation, request.variables);
          if (!fields) return; // not a query, or execution reports its variables
          const { plan } = contextValue;
          let total = 0;
          for (const field of fields) {
            const request = requestOf(field.definition.name, field.argumentValues);
            if (!request) continue;
            const planned = planCalculation(request);
            plan.set(field.responseKey, planned);
            // The least each field can take: a field the estimate cannot decide is settled by its own
            // exact size when it resolves (calculator.ts).
            if (planned.ok) total += planned.predictedDigits.low;
          }
          contextValue.budget.plan(total);
        },
      };
    },
  };
}

/** The calculation a field asks for; undefined for other fields and unusable arguments. */
function requestOf(
  field: string,
  argumentValues: () => Record<string, unknown>,
): CalculationRequest | undefined {
  try {
    return calculationRequest(field, argumentValues());
  } catch {
    return undefined; // execution reports arguments that do not coerce
  }
}
