/**
 * Plans an operation before any field resolves: each math field's task and predicted size
 * (plan.ts), kept in the context for the resolvers, and admitted to the digit budget in the order
 * written. Without it the fields would reserve one by one as they resolve, in whatever order
 * they finish, and which of them a too-large operation computed would be a matter of timing.
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
        async didResolveOperation(requestContext) {
          const fields = rootQueryFields(requestContext);
          if (!fields) return; // not a query, or execution reports its variables
          const { plan, budget } = requestContext.contextValue;
          for (const field of fields) {
            const request = requestOf(field.definition.name, field.argumentValues);
            if (!request) continue;
            const planned = planCalculation(request, budget.maxDigits);
            // The least each field can take: a field the estimate cannot decide is settled by its
            // own exact size when it resolves (calculator.ts). One that does not fit beside the
            // fields before it is refused now, before anything is computed.
            const refused = planned.ok ? budget.admit(planned.predictedDigits) : undefined;
            plan.set(
              field.responseKey,
              refused ? { ok: false, input: planned.input, error: refused } : planned,
            );
          }
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
