/**
 * `BODY_LIMIT` (`100kb`, `1.5mb`, `512b`) in bytes, read as body-parser reads it (a kilobyte is 1,024 bytes, a
 * fraction of a byte rounded down); NaN for anything else.
 */
export function byteLimitOf(limit: string): number {
  const [, amount, unit] = /^(\d+(?:\.\d+)?)(b|kb|mb)$/i.exec(limit) ?? [];
  if (amount === undefined) return NaN;
  return Math.floor(Number(amount) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit.toLowerCase() as 'b' | 'kb' | 'mb']);
}
