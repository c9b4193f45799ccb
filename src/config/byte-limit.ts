/** `BODY_LIMIT` (`100kb`, `1mb`, `512b`) in bytes, read as body-parser reads it (a kilobyte is 1,024 bytes). */
export function byteLimitOf(limit: string): number {
  const [, digits, unit] = /^(\d+)(b|kb|mb)$/i.exec(limit) ?? [];
  if (digits === undefined) throw new Error(`not a byte limit: ${limit}`);
  return Number(digits) * { b: 1, kb: 1024, mb: 1024 * 1024 }[unit.toLowerCase() as 'b' | 'kb' | 'mb'];
}
