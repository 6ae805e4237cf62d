/**
 * Plans an operation's digit budget before any field resolves: the predicted sizes of all its
 * math fields, summed. Without it the fields would reserve one by one as they resolve, and an
 * operation over budget would have its first fields computed before a later one was refused.
 * Fields with bad arguments count nothing here; their resolvers refuse them.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { fragmentsOf, selectedFields } from '@microservice-math/shared/selection';
import { getArgumentValues, getVariableValues } from 'graphql';
import type { MathContext } from '../context.js';
import { calculationRequest, predictedDigits, toTask } from './arguments.js';

export function digitBudgetPlugin(): ApolloServerPlugin<MathContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request, schema, contextValue }) {
          const queryType = schema.getQueryType();
          if (operation?.operation !== 'query' || !queryType) return;
          const variables = getVariableValues(
            schema,
            operation.variableDefinitions ?? [],
            request.variables ?? {},
          );
          if (variables.errors) return; // execution reports them
          const scope = { fragments: fragmentsOf(document), variableValues: variables.coerced };
          // Fields with one response key are merged into one resolver call by execution.
          const counted = new Set<string>();
          let total = 0;
          for (const field of selectedFields(operation.selectionSet, scope)) {
            const responseKey = field.alias?.value ?? field.name.value;
            const definition = queryType.getFields()[field.name.value];
            if (counted.has(responseKey) || !definition) continue;
            counted.add(responseKey);
            total += digitsOrZero(() => {
              const args = getArgumentValues(definition, field, variables.coerced);
              const calculation = calculationRequest(field.name.value, args);
              // The least each field can take: a field the estimate cannot decide is settled by its own
              // exact size when it resolves (calculator.ts).
              return calculation ? predictedDigits(toTask(calculation)).low : 0;
            });
          }
          contextValue.budget.plan(total);
        },
      };
    },
  };
}

function digitsOrZero(predict: () => number): number {
  try {
    return predict();
  } catch {
    return 0; // a bad argument: its resolver refuses it with the reason
  }
}
