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
