/**
 * The longest delay Node's timers take (setTimeout, setInterval, socket and abort timeouts): 2^31 - 1 ms, ~24.8 days.
 * A longer one does not wait longer: Node prints a TimeoutOverflowWarning and fires it after 1 ms. Every setting that
 * becomes a timer is bounded by it (in its own unit), and a delay the code adds to or multiplies from a setting is
 * capped with `timerDelay`.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** `ms`, capped at the longest timer: a wait computed from a setting (a sum, a multiple) never fires at once instead. */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
