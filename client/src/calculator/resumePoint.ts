/**
 * Where the user was when their session ended without their asking (it expired, or the server
 * refused it): the calculation in the address and what the form and the box held, sent or not.
 * Kept for this tab (sessionStorage, so a reload of the sign-in page keeps it too) by the user it
 * belongs to, and given back once, when that same user signs in again in this tab; a sign-out, or
 * anyone else signing in, forgets it, so it is never shown to another user of the browser.
 */
import { inject, type InjectionKey } from 'vue';
import type { Operation } from '../gql/graphql';
import { isRecord } from '@microservice-math/shared/records';
import type { EndedSession, Session } from '../session/session';
import { calculationFromSearch, searchOf } from './calculationUrl';
import { ARGUMENT_NAMES, OPERATIONS, type ArgumentValues } from './operations';

export interface CalculatorDraft {
  operation: Operation;
  values: ArgumentValues;
  expression: string;
}

export interface ResumePoint {
  /** The address's query (`?op=factorial&n=100`), or '' when it held none. */
  search: string;
  draft: CalculatorDraft;
}

export interface ResumePoints {
  /** What the calculator held as it went away (it does so before the session's end is told). */
  leave(point: ResumePoint): void;
  /** The point `userId`'s last session left, once; one left by any other user is forgotten. */
  take(userId: string): ResumePoint | null;
}

export const RESUME_POINT_STORAGE_KEY = 'microservice-math.resume-point';
/**
 * A point longer than this (as stored) is not kept: only a huge pasted argument makes one, and
 * sessionStorage (a few MB for the whole origin) is not to be filled with it.
 */
export const MAX_RESUME_POINT_CHARACTERS = 100_000;

export function createResumePoints({
  session,
  storage,
}: {
  session: Pick<Session, 'onEnd' | 'onEndExplained'>;
  storage: Storage;
}): ResumePoints {
  let left: ResumePoint | null = null;
  /** The last session ended and what it left, should the word of why it ended change it. */
  let lastEnded: { ended: EndedSession; point: ResumePoint | null } | null = null;
  session.onEnd((ended) => {
    const point = left;
    left = null;
    lastEnded = { ended, point };
    keep(ended, point);
  });
  // Kept for an expiry or a refusal only, as it turns out to have been (no one has signed in
  // since: the session tells only while signed out).
  session.onEndExplained((ended) => {
    if (lastEnded?.ended === ended) keep(ended, lastEnded.point);
  });

  function keep({ user, byUser }: EndedSession, point: ResumePoint | null): void {
    const kept = byUser || point === null ? null : JSON.stringify({ userId: user.id, ...point });
    if (kept === null || kept.length > MAX_RESUME_POINT_CHARACTERS) {
      storage.removeItem(RESUME_POINT_STORAGE_KEY);
      return;
    }
    try {
      storage.setItem(RESUME_POINT_STORAGE_KEY, kept);
    } catch {
      // Storage full: the point is lost, and no older one (maybe another user's) stays instead.
      storage.removeItem(RESUME_POINT_STORAGE_KEY);
    }
  }

  return {
    leave: (point) => {
      left = point;
    },
    take: (userId) => {
      const raw = storage.getItem(RESUME_POINT_STORAGE_KEY);
      storage.removeItem(RESUME_POINT_STORAGE_KEY);
      return raw === null ? null : resumePointOf(raw, userId);
    },
  };
}

/** The stored point, if it is `userId`'s and reads as one (storage is anyone's to change). */
function resumePointOf(raw: string, userId: string): ResumePoint | null {
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isRecord(stored) || stored['userId'] !== userId) return null;
  const { search, draft } = stored;
  if (typeof search !== 'string' || !isRecord(draft)) return null;
  const { operation, values, expression } = draft;
  if (typeof operation !== 'string' || !Object.hasOwn(OPERATIONS, operation)) return null;
  if (typeof expression !== 'string' || !isRecord(values)) return null;
  const kept = { base: '', exponent: '', precision: '', n: '' } satisfies ArgumentValues;
  for (const name of ARGUMENT_NAMES) {
    const value = values[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return {
    search: calculationSearchOf(search),
    draft: { operation: operation as Operation, values: kept, expression },
  };
}

/**
 * The stored address's calculation, written anew: the address is set from it, and anything else
 * there (`//evil.example/x`, another origin, which history refuses) is no address of the app's.
 */
function calculationSearchOf(search: string): string {
  const found = calculationFromSearch(search);
  if (found === null) return '';
  return searchOf(found.operation, {
    base: '',
    exponent: '',
    precision: '',
    n: '',
    ...found.values,
  });
}

export const ResumePointsKey: InjectionKey<ResumePoints> = Symbol('ResumePoints');

/** The app's resume points; none where the app provides none (a calculator shown on its own). */
export function useResumePoints(): ResumePoints | null {
  return inject(ResumePointsKey, null);
}
