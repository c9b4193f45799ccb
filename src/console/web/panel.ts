import { localClock } from './format';
import { ORIGIN_NAMES } from './study-scope';

/** One panel of the console: it knows its endpoint and how to draw what comes back. */
export interface Panel {
  /** Names the panel in error messages. */
  readonly title: string;
  /** The "Updated …" line beside the title; it says so when a refresh failed. */
  readonly updated: HTMLElement;
  /** Fetches and redraws; rejects when the fetch failed (the old figures stay, marked stale). */
  refresh(): Promise<void>;
}

/**
 * "Updated 14:05:03 CET" beside a panel's title, or what went wrong, with data-generated-at for tests; for a study
 * panel limited to one origin, which ("· started at the greeting only"), with data-origin (`all` when not limited).
 */
export function markUpdated(element: HTMLElement, generatedAt: string, origin?: string | null): void {
  const limited = origin ? ` · ${ORIGIN_NAMES[origin] ?? origin} only` : '';
  element.textContent = `Updated ${localClock(generatedAt, true)}${limited}`;
  element.dataset.generatedAt = generatedAt;
  if (origin !== undefined) element.dataset.origin = origin ?? 'all';
  element.classList.remove('stale');
}

export function markStale(element: HTMLElement, reason: string): void {
  element.textContent = `Not updated: ${reason}`;
  element.classList.add('stale');
}
