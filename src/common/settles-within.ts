/**
 * Whether `work` settles (resolves or rejects) within `ms`. The wait ends at the bound either way; the work itself
 * goes on, since a promise cannot be cancelled. For shutdown steps and one-shot commands that must not wait for ever.
 */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = work.then(
    () => true,
    () => true,
  );
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}

/**
 * `work`'s own outcome when it settles within `ms`; otherwise a rejection at the bound with `late()`'s error (by
 * default `no answer within <ms> ms`). The work goes on, as above. For a call a request waits on, where an answer
 * that comes too late is a failure of the dependency.
 */
export function answersWithin<T>(
  work: Promise<T>,
  ms: number,
  late: () => Error = () => new Error(`no answer within ${ms} ms`),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}
