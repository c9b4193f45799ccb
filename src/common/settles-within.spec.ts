import { answersWithin, settlesWithin } from './settles-within';

describe('settlesWithin', () => {
  it('is true for work that resolves or rejects within the bound', async () => {
    await expect(settlesWithin(Promise.resolve('done'), 1_000)).resolves.toBe(true);
    await expect(settlesWithin(Promise.reject(new Error('failed')), 1_000)).resolves.toBe(true);
  });

  it('is false, at the bound, for work still running', async () => {
    const started = Date.now();
    await expect(settlesWithin(new Promise(() => undefined), 50)).resolves.toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('answersWithin', () => {
  it("passes on the work's own value or error when it settles within the bound", async () => {
    await expect(answersWithin(Promise.resolve('done'), 1_000)).resolves.toBe('done');
    await expect(answersWithin(Promise.reject(new Error('failed')), 1_000)).rejects.toThrow('failed');
  });

  it('rejects at the bound for work still running, with the default error or the one given', async () => {
    const started = Date.now();
    await expect(answersWithin(new Promise(() => undefined), 50)).rejects.toThrow('no answer within 50 ms');
    expect(Date.now() - started).toBeLessThan(1_000);
    class LateError extends Error {}
    await expect(answersWithin(new Promise(() => undefined), 10, () => new LateError('late'))).rejects.toBeInstanceOf(
      LateError,
    );
  });
});
