import type { EntityManager } from '@microservice-math/shared/database';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';
import type { DigitBudget } from './calculations/budget.js';
import type { CalculationPlan } from './calculations/plan.js';

export interface MathContext extends RequestBase {
  /** The signed-in caller as the router vouches for it; null when anonymous. */
  caller: Caller | null;
  em: EntityManager;
  /** Digits this operation may still ask for, across all its math fields. */
  budget: DigitBudget;
  /** The operation's math fields, checked and sized once before any resolves (plan.ts). */
  plan: CalculationPlan;
}
