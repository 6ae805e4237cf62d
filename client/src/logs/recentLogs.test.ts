import { describe, expect, it } from 'vitest';
import { requestLog } from '../testing/requestLog';
import { MAX_LISTED_LOGS, addLog, droppedOldest, newestLog } from './recentLogs';

const log = (id: string) => ({ id });
const all = { complete: true };

describe('addLog', () => {
  it('puts a new log first', () => {
    expect(addLog([log('2'), log('1')], log('3'), all).map(({ id }) => id)).toEqual([
      '3',
      '2',
      '1',
    ]);
  });

  it('lists a log that arrives twice (subscription and own calculation) once', () => {
    expect(addLog([log('3'), log('2')], log('3'), all).map(({ id }) => id)).toEqual(['3', '2']);
  });

  it('keeps every log shown once all are loaded: a new one removes none', () => {
    // 25 logs after "Load more" until the end: a 26th arrives live.
    const shown = Array.from({ length: 25 }, (_, i) => log(String(25 - i).padStart(2, '0')));
    const list = addLog(shown, log('26'), all);
    expect(list).toHaveLength(26);
    expect(list.map(({ id }) => id).slice(0, 2)).toEqual(['26', '25']);
    expect(list.at(-1)?.id).toBe('01');
  });

  it('keeps every log shown while more may exist too: the oldest stays the cursor of Load more', () => {
    const shown = Array.from({ length: 20 }, (_, i) => log(String(30 - i)));
    const list = addLog(shown, log('31'), { complete: false });
    expect(list).toHaveLength(21);
    expect(list.at(-1)?.id).toBe('11');
  });
});

describe('addLog past MAX_LISTED_LOGS', () => {
  /** `count` logs, newest first, the newest numbered `newest`; ids sort as their numbers. */
  const logs = (count: number, newest: number) =>
    Array.from({ length: count }, (_, i) => log(String(newest - i).padStart(5, '0')));

  it('drops the oldest row for a new log, and the list then lacks the logs before its oldest', () => {
    // A whole list (all the caller's logs) grown by live logs to the cap.
    const shown = logs(MAX_LISTED_LOGS, 1000);
    const list = addLog(shown, log('01001'), all);
    expect(list).toHaveLength(MAX_LISTED_LOGS);
    expect(list[0]?.id).toBe('01001');
    expect(list.at(-1)).toEqual(shown.at(-2));
    expect(droppedOldest(shown, list)).toBe(true);
    // Each further log drops one more, so "Load more" from the oldest shown brings them back.
    const next = addLog(list, log('01002'), { complete: false });
    expect(next).toHaveLength(MAX_LISTED_LOGS);
    expect(next.at(-1)).toEqual(shown.at(-3));
  });

  it('keeps the length of a list made longer by Load more: one row out for one in', () => {
    const shown = logs(MAX_LISTED_LOGS + 20, 1000);
    const list = addLog(shown, log('01001'), { complete: false });
    expect(list).toHaveLength(MAX_LISTED_LOGS + 20);
    expect(list.at(-1)).toEqual(shown.at(-2));
  });

  it('drops nothing below the cap, for a log it already lists, or for one older than all', () => {
    const below = logs(MAX_LISTED_LOGS - 1, 1000);
    expect(droppedOldest(below, addLog(below, log('01001'), all))).toBe(false);
    const full = logs(MAX_LISTED_LOGS, 1000);
    expect(addLog(full, log('01000'), all)).toEqual(full);
    // Published late, older than every row of a whole list: listed last, the list stays whole.
    const late = addLog(full, log('00001'), all);
    expect(late).toHaveLength(MAX_LISTED_LOGS + 1);
    expect(droppedOldest(full, late)).toBe(false);
  });
});

describe('a feed resumed with after: the newest log', () => {
  /** Three logs a second apart, newest first, as the list shows them. */
  const at = (second: number, id: string) =>
    requestLog({ id, createdAt: `2026-11-26T12:00:0${second}.000Z` });
  const shown = [at(3, 'log-c'), at(2, 'log-b'), at(1, 'log-a')];

  it('shows a replayed log it already lists once, where it was, and resumes from the newest', () => {
    // The catch-up replays the logs made just before the cursor: the list has them.
    let list = shown;
    for (const replayed of [at(1, 'log-a'), at(2, 'log-b')]) list = addLog(list, replayed, all);
    expect(list.map(({ id }) => id)).toEqual(['log-c', 'log-b', 'log-a']);
    expect(newestLog(list)?.id).toBe('log-c');
  });

  it('lists a log published late in its place by time, and still resumes from the newest', () => {
    const late = requestLog({ id: 'log-late', createdAt: '2026-11-26T12:00:02.500Z' });
    const list = addLog(shown, late, all);
    expect(list.map(({ id }) => id)).toEqual(['log-c', 'log-late', 'log-b', 'log-a']);
    expect(newestLog(list)?.id).toBe('log-c');
    // Replayed again on the next resume: still once.
    expect(addLog(list, late, all)).toEqual(list);
  });

  it('shows a replayed refusal answered since (same id) answered, in place', () => {
    const refused = [at(3, 'log-c'), { ...at(2, 'log-b'), status: 'CANCELLED' }, at(1, 'log-a')];
    const list = addLog(refused, at(2, 'log-b'), all);
    expect(list.map(({ id, status }) => `${id} ${status}`)).toEqual([
      'log-c ok',
      'log-b ok',
      'log-a ok',
    ]);
  });

  it('lists a log older than every one shown only when the list holds them all', () => {
    const older = at(0, 'log-0');
    // More may exist: it belongs to a page not loaded yet, which "Load more" brings.
    expect(addLog(shown, older, { complete: false })).toEqual(shown);
    expect(addLog(shown, older, all).map(({ id }) => id)).toEqual([
      'log-c',
      'log-b',
      'log-a',
      'log-0',
    ]);
    expect(addLog([], older, { complete: false })).toEqual([older]);
  });

  it('orders logs of the same time by id, as math does', () => {
    const list = addLog([at(1, 'log-b')], at(1, 'log-a'), all);
    expect(list.map(({ id }) => id)).toEqual(['log-b', 'log-a']);
    expect(newestLog([at(1, 'log-a'), at(1, 'log-b')])?.id).toBe('log-b');
  });
});
