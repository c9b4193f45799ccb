/** The sample names a histogram or summary adds to its metric's name. */
const SAMPLE_SUFFIXES = /_(bucket|sum|count)$/;

/**
 * Prometheus text without the named metrics: their samples (a histogram's `_bucket`, `_sum` and `_count` too) and
 * their `# HELP` / `# TYPE` lines. Names match whole (`combot_conversations` leaves `combot_conversations_by_arm`).
 */
export function withoutMetrics(text: string, names: readonly string[]): string {
  if (names.length === 0) return text;
  const dropped = new Set(names);
  const isDropped = (name: string): boolean => dropped.has(name) || dropped.has(name.replace(SAMPLE_SUFFIXES, ''));
  return text
    .split('\n')
    .filter((line) => {
      if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) return !dropped.has(line.split(' ')[2]);
      const name = /^[^{ #]+/.exec(line)?.[0];
      return name === undefined || !isDropped(name);
    })
    .join('\n');
}
