/**
 * Whether `value` is a plain JSON object (not null, not an array): the shape every request body,
 * `extensions`, `variables` and stored draft is checked for before its fields are read. Imports
 * nothing, so the web app uses it too.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
