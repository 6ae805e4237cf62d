import type { EntityManager } from '@microservice-math/shared/database';
import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';
import type DataLoader from 'dataloader';
import type { DigitBudget } from './calculations/budget.js';
import type { CalculationPlan } from './calculations/plan.js';
import type { LogReads } from './logs/logReadsFirst.js';
import type { LogsRequest } from './logs/logsByUser.js';
import type { RequestLogRecord } from './logs/RequestLog.js';

export interface MathContext extends RequestBase {
  /** The signed-in caller as the router vouches for it; null when anonymous. */
  caller: Caller | null;
  /** The client's `Idempotency-Key`, scoped to the caller by the router; absent if none sent. */
  idempotencyKey?: string;
  em: EntityManager;
  /** `User.logs` read once per user and level however many parents ask (see logsByUser.ts). */
  logsByUser: DataLoader<LogsRequest, RequestLogRecord[], string>;
  /** Digits this operation may still ask for, across all its math fields. */
  budget: DigitBudget;
  /** Its `recentLogs` fields' rows, read before any field resolved (logReadsFirst.ts). */
  logReads: LogReads;
  /** The operation's math fields, checked and sized once before any resolves (plan.ts). */
  plan: CalculationPlan;
}
