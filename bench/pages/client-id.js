// Shared by the pages and the raw page's worker, which has no `window`.
export function randomClientId(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
