import type { StudyPanelHeader } from '../console.types';
import { getJson, withQuery } from './api.client';
import { byId } from './dom';

/** What each origin the study panels can be limited to is called on the page (`origin` of the panels' answers). */
export const ORIGIN_NAMES: Readonly<Record<string, string>> = {
  greeting: 'started at the greeting',
  no_greeting: 'started without the greeting',
};

/**
 * Which conversations the study panels (arms, funnel, labels, over time, durations) count: every one, or those of
 * one origin, so that a load test's conversations can be kept out of the figures a study is judged by. One choice
 * for the whole page, kept in the address (`?origin=greeting`), so a reload or a shared link shows the same figures.
 */
export class StudyScope {
  private readonly select = byId('study-origin', HTMLSelectElement);

  constructor() {
    const asked = new URLSearchParams(window.location.search).get('origin');
    if (asked !== null && [...this.select.options].some((option) => option.value === asked)) {
      this.select.value = asked;
    }
  }

  /** The panels' `origin` query value; undefined for every conversation. */
  get origin(): string | undefined {
    return this.select.value || undefined;
  }

  /**
   * A study panel's answer, asked for the conversations the page counts; null when the reader chose other ones while
   * it was on its way, so a late answer is never drawn (the refresh the new choice starts brings the right one).
   */
  async ask<T extends StudyPanelHeader>(
    path: string,
    params: Record<string, string | undefined> = {},
  ): Promise<T | null> {
    const panel = await getJson<T>(withQuery(path, { ...params, origin: this.origin }));
    return (panel.origin ?? undefined) === this.origin ? panel : null;
  }

  /** Picks `origin` for the reader (a suggestion they accepted), as if chosen in the list. */
  choose(origin: string): void {
    if (this.select.value === origin) return;
    this.select.value = origin;
    this.select.dispatchEvent(new Event('change'));
  }

  /** Calls `listener` when the reader picks another set, once the address says which. */
  onChange(listener: () => void): void {
    this.select.addEventListener('change', () => {
      const url = new URL(window.location.href);
      if (this.origin) url.searchParams.set('origin', this.origin);
      else url.searchParams.delete('origin');
      window.history.replaceState(null, '', url);
      listener();
    });
  }
}
