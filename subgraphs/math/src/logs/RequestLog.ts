import type { LogAddedEvent } from '@microservice-math/shared/logAddedEvent';
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

import type { Operation } from '../kernels/task.js';

export type { Operation };
/** `ok`, or the error code the request was refused with. */
export type LogStatus = 'ok' | string;

/**
 * The width of the `input` column. A valid input can be longer (a base may have 10,000
 * characters); the stored copy is cut to fit, since PostgreSQL refuses a longer value, and with
 * it the whole batch of rows being committed.
 */
export const INPUT_COLUMN_LENGTH = 1024;

export const REQUEST_ID_LENGTH = 64;
export const LOG_KEY_LENGTH = 64;
export const RESPONSE_KEY_LENGTH = 255;

export const RequestLogSchema = defineEntity({
  name: 'RequestLog',
  tableName: 'request_log',
  properties: {
    /** UUIDv7: ordered by creation, so (created_at, id) is a stable newest-first order. */
    id: p.uuid().primary(),
    userId: p.string().length(64),
    username: p.string().length(32),
    operation: p.string().length(16).$type<Operation>(),
    input: p.string().length(INPUT_COLUMN_LENGTH),
    resultPreview: p.string().length(64),
    digits: p.integer(),
    cached: p.boolean(),
    durationMs: p.float(),
    status: p.string().length(32),
    createdAt: p.datetime(),
    /** The router's request id of the request that stored the row; null outside a request. */
    requestId: p.string().length(REQUEST_ID_LENGTH).nullable(),
    /**
     * With `responseKey`, the log's idempotency key (see logWriter.ts): the request id (one per
     * operation, kept when the router retries the call on another instance), or, when the
     * client sent an `Idempotency-Key` (kept across its own attempts, through any router), a
     * digest of that key with the user and the calculation. The field's response key (a digest
     * of it when longer than the column) tells the calculations of one operation apart. Null for
     * writes outside a request.
     */
    logKey: p.string().length(LOG_KEY_LENGTH).nullable(),
    responseKey: p.string().length(RESPONSE_KEY_LENGTH).nullable(),
    /**
     * When a retry's answer replaced the row's refusal (same id and `createdAt`); null for a
     * row never replaced. A feed resuming after a newer log finds such a row by it.
     */
    answeredAt: p.datetime().nullable(),
  },
  indexes: [
    { properties: ['userId', 'createdAt'] },
    // Partial: only the few rows with an `answeredAt` (see its migration, ..._answered_at_partial).
    {
      name: 'request_log_user_id_answered_at_index',
      expression:
        'create index request_log_user_id_answered_at_index on request_log (user_id, answered_at) where answered_at is not null',
    },
  ],
  uniques: [{ properties: ['logKey', 'responseKey'] }],
});

export type RequestLogEntity = InferEntity<typeof RequestLogSchema>;

/**
 * A log as the API and the live feed see it: a plain object that survives JSON (Redis pub/sub
 * carries it whole, so subscribers need no extra read). It is the log event's contract, so the
 * row and the event cannot drift apart.
 */
export type RequestLogRecord = LogAddedEvent;

/** What math knows of a `User`: the key, to be resolved by auth. */
export interface UserReference {
  id: string;
}

export function toRecord(entity: RequestLogEntity): RequestLogRecord {
  return {
    id: entity.id,
    userId: entity.userId,
    username: entity.username,
    operation: entity.operation,
    input: entity.input,
    resultPreview: entity.resultPreview,
    digits: entity.digits,
    cached: entity.cached,
    durationMs: entity.durationMs,
    status: entity.status,
    createdAt: new Date(entity.createdAt).toISOString(),
  };
}
