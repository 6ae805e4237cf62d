import { describe, expect, it } from 'vitest';
import { prependLog } from './recentLogs';

const log = (id: string) => ({ id });

describe('prependLog', () => {
  it('puts the new log first', () => {
    expect(prependLog([log('2'), log('1')], log('3'), 20).map(({ id }) => id)).toEqual([
      '3',
      '2',
      '1',
    ]);
  });

  it('lists a log that arrives twice (subscription and own calculation) once', () => {
    expect(prependLog([log('3'), log('2')], log('3'), 20).map(({ id }) => id)).toEqual(['3', '2']);
  });

  it('keeps at most the limit, dropping the oldest', () => {
    expect(prependLog([log('2'), log('1')], log('3'), 2).map(({ id }) => id)).toEqual(['3', '2']);
  });
});
