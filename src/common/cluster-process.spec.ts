import { isFirstProcess } from './cluster-process';

describe('isFirstProcess', () => {
  it('is true outside a cluster and in its first forked process, false in the others', () => {
    expect(isFirstProcess(undefined)).toBe(true);
    expect(isFirstProcess({ id: 1 })).toBe(true);
    expect(isFirstProcess({ id: 2 })).toBe(false);
    expect(isFirstProcess({ id: 9 })).toBe(false);
  });

  it('is true in a process that is no cluster worker (a test, the worker, the CLI)', () => {
    expect(isFirstProcess()).toBe(true);
  });
});
