/** The longest part of a request an error message repeats: enough to recognise it, never the whole of a huge one. */
export const ECHO_MAX_CHARACTERS = 100;

/**
 * A value from the request (a path, an id) as an error message quotes it: cut to ECHO_MAX_CHARACTERS code points
 * with `…` and the full length, so a 5,000-character id is not sent back whole in every refusal.
 */
export function echoed(value: string): string {
  const points = Array.from(value);
  if (points.length <= ECHO_MAX_CHARACTERS) return value;
  return `${points.slice(0, ECHO_MAX_CHARACTERS).join('')}… (${points.length} characters)`;
}
