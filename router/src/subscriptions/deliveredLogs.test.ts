import { describe, expect, it } from 'vitest';
import { DeliveredLogs } from './deliveredLogs.js';

const WINDOW_MS = 5_000;
const start = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(start + ms).toISOString();

describe('a live feed’s memory of delivered logs', () => {
  it('forgets the logs made more than two windows before the newest, however many came before', () => {
    const delivered = new DeliveredLogs(WINDOW_MS, 2_000);
    // An hour of logs a second apart: the old limit alone kept 2,000 of them.
    for (let second = 0; second < 3_600; second++)
      delivered.remember(`log-${second}`, 'ok', at(second * 1_000));
    expect(delivered.size).toBe(11);
    expect(delivered.knows('log-3589')).toBe(true);
    expect(delivered.knows('log-3588')).toBe(false);
  });

  it('remembers every log a catch-up from the newest could replay', () => {
    const delivered = new DeliveredLogs(WINDOW_MS, 2_000);
    delivered.remember('edge', 'ok', at(0));
    delivered.remember('window-before', 'ok', at(WINDOW_MS - 1));
    delivered.remember('newest', 'ok', at(2 * WINDOW_MS));
    expect(delivered.has('edge', 'ok')).toBe(true);
    delivered.remember('newer', 'ok', at(2 * WINDOW_MS + 1));
    expect(delivered.knows('edge')).toBe(false);
    expect(delivered.has('window-before', 'ok')).toBe(true);
  });

  it('keeps at most its limit within the horizon, forgetting the first delivered first', () => {
    const delivered = new DeliveredLogs(WINDOW_MS, 3);
    for (const id of ['a', 'b', 'c']) delivered.remember(id, 'ok', at(0));
    delivered.remember('a', 'ok', at(0)); // delivered again: now the latest
    delivered.remember('d', 'ok', at(1));
    expect(delivered.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].filter((id) => delivered.knows(id))).toEqual(['a', 'c', 'd']);
  });

  it('tells a log delivered with another status from one delivered with this one', () => {
    const delivered = new DeliveredLogs(WINDOW_MS, 2_000);
    delivered.remember('retried', 'CANCELLED', at(0));
    expect(delivered.has('retried', 'CANCELLED')).toBe(true);
    expect(delivered.has('retried', 'ok')).toBe(false);
    delivered.remember('retried', 'ok', at(0));
    expect(delivered.has('retried', 'ok')).toBe(true);
    expect(delivered.has('retried', 'CANCELLED')).toBe(false);
  });

  it('a late log older than the horizon does not make it forget the newer ones', () => {
    const delivered = new DeliveredLogs(WINDOW_MS, 2_000);
    delivered.remember('new', 'ok', at(60_000));
    delivered.remember('answered-late', 'ok', at(0));
    expect(delivered.knows('new')).toBe(true);
  });

  it('remembers a log a catch-up delivered whatever its age, up to its limit, as math may publish it late', () => {
    const delivered = new DeliveredLogs(WINDOW_MS, 3);
    delivered.remember('caught-up', 'ok', at(0), 'catch-up');
    for (let second = 1; second <= 60; second++)
      delivered.remember(`live-${second}`, 'ok', at(second * 1_000));
    expect(delivered.has('caught-up', 'ok')).toBe(true);
    for (const id of ['b', 'c', 'd']) delivered.remember(id, 'ok', at(0), 'catch-up');
    expect(delivered.knows('caught-up')).toBe(false);
    expect(delivered.has('b', 'ok')).toBe(true);
  });
});
