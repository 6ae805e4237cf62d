import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';
import type { DigitBudget } from './calculations/budget.js';
import type { CalculationPlan } from './calculations/plan.js';
import type { LogReads } from './logs/logReadsFirst.js';
import type { RequestReads } from './logs/requestReads.js';

export interface MathContext extends RequestBase {
  /** The signed-in caller as the router vouches for it; null when anonymous. */
  caller: Caller | null;
  /** The client's `Idempotency-Key`, scoped to the caller by the router; absent if none sent. */
  idempotencyKey?: string;
  /** Its entity manager and `User.logs` loader, made on first use (requestReads.ts). */
  reads: RequestReads;
  /** Digits this operation may still ask for, across all its math fields. */
  budget: DigitBudget;
  /** Its `recentLogs` fields' rows, read before any field resolved (logReadsFirst.ts). */
  logReads: LogReads;
  /** The operation's math fields, checked and sized once before any resolves (plan.ts). */
  plan: CalculationPlan;
}
