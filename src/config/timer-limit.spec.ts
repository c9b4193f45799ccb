import { MAX_TIMER_MS, timerDelay } from './timer-limit';

describe('timerDelay', () => {
  it('caps a delay computed from a setting (a sum, a multiple) at the longest timer, leaving shorter ones as they are', () => {
    expect(timerDelay(10_000 + 5000)).toBe(15_000);
    expect(timerDelay(MAX_TIMER_MS)).toBe(MAX_TIMER_MS);
    // SHUTDOWN_TIMEOUT_MS at its maximum plus the worker's 5 s grace: the overflow would kill the worker at once.
    expect(timerDelay(MAX_TIMER_MS + 5000)).toBe(MAX_TIMER_MS);
  });
});
