/** A `RequestLog` as the router answers it (5! answered), for component and cache tests. */
export function requestLog(overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'RequestLog',
    id: 'log-1',
    operation: 'FACTORIAL',
    input: '{"n":5}',
    resultPreview: '120',
    digits: 3,
    cached: false,
    durationMs: 0.05,
    status: 'ok',
    createdAt: '2026-11-26T12:00:00.000Z',
    ...overrides,
  };
}
