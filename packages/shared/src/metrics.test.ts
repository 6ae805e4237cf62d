import { describe, expect, it } from 'vitest';
import { boundedLabel } from './metrics.js';

describe('boundedLabel', () => {
  it('keeps the first names, reports later new ones as "other", and known ones as themselves', () => {
    const label = boundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map(label)).toEqual([
      'a',
      'b',
      'other',
      'a',
      'other',
      'b',
    ]);
  });
});
