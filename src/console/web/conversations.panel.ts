import type { ConsoleSession, ConversationPage, ConversationSummary } from '../console.types';
import { getJson, isAbort, leaveForLogin, sessionExpired, withQuery } from './api.client';
import { byId, h, table } from './dom';
import { armCell, armId, armName, localTime } from './format';
import { localDayStart } from '../local-days';
import { markStale, markUpdated, type Panel } from './panel';
import type { TranscriptDialog } from './transcript.dialog';

const ARMS = ['Basic', 'Lulu'].flatMap((brand) =>
  ['High', 'Low'].flatMap((thinkLevel) => ['High', 'Low'].map((feelLevel) => ({ brand, thinkLevel, feelLevel }))),
);
const STATUS_NAMES: Record<string, string> = {
  in_progress: 'In progress',
  completed: 'Completed',
  abandoned: 'Abandoned',
};

/** The status, why an abandoned one is (an erasure says so once), and whether it was erased. */
function statusText(row: ConversationSummary): string {
  const because = row.abandonReason && row.abandonReason !== 'erased' ? ` (${row.abandonReason})` : '';
  return `${STATUS_NAMES[row.status] ?? row.status}${because}${row.erased ? ' · erased' : ''}`;
}

/** The filters as the form holds them: values of its fields, empty for "any". */
interface Filters {
  arm: string;
  status: string;
  abandonReason: string;
  label: string;
  origin: string;
  since: string;
  until: string;
}

/**
 * Conversations newest first under the applied filters, a page at a time (keyset: "Older" follows the server's
 * cursor, "Newest" starts over); each opens its transcript. The export links follow the applied filters the export
 * knows. A filter changed in the form takes effect with "Apply filters" (or "Clear"), never half-way: the list, the
 * pages and the exports always describe the same set.
 */
export class ConversationsPanelView implements Panel {
  readonly title = 'Conversations';
  private readonly form = byId('conversation-filters', HTMLFormElement);
  private readonly arm = byId('filter-arm', HTMLSelectElement);
  private readonly status = byId('filter-status', HTMLSelectElement);
  private readonly abandonReason = byId('filter-abandon-reason', HTMLSelectElement);
  private readonly label = byId('filter-label', HTMLSelectElement);
  private readonly origin = byId('filter-origin', HTMLSelectElement);
  private readonly since = byId('filter-since', HTMLInputElement);
  private readonly until = byId('filter-until', HTMLInputElement);
  private readonly body = byId('conversations-body', HTMLDivElement);
  readonly updated = byId('conversations-updated', HTMLParagraphElement);
  private readonly newest = byId('page-newest', HTMLButtonElement);
  private readonly older = byId('page-next', HTMLButtonElement);
  private readonly exportCsv = byId('export-csv', HTMLAnchorElement);
  private readonly exportJsonl = byId('export-jsonl', HTMLAnchorElement);
  private readonly pseudonymiseField = byId('pseudonymise-field', HTMLSpanElement);
  private readonly pseudonymise = byId('export-pseudonymise', HTMLInputElement);
  /** The cursor of the page asked for (null: the newest page) and of the page after the one shown. */
  private cursor: string | null = null;
  private nextCursor: string | null = null;
  /** Set only by "Apply filters" and "Clear". */
  private applied: Filters;
  /** The query of the last page that came: the export links fall back to it when the applied filters are refused. */
  private shownQuery: Record<string, string | undefined>;
  /** The query the export links carry. */
  private exportQuery: Record<string, string | undefined>;
  /** The call whose answer is wanted: a newer one aborts it, so that an answer never lands over a later choice. */
  private loading: AbortController | null = null;

  constructor(
    session: ConsoleSession,
    private readonly transcript: TranscriptDialog,
  ) {
    for (const arm of ARMS) this.arm.append(h('option', { attrs: { value: armId(arm) } }, armName(arm)));
    this.pseudonymiseField.hidden = !session.pseudonymisedExport;
    this.applied = this.formFilters();
    this.shownQuery = this.appliedQuery();
    this.exportQuery = this.shownQuery;
    this.until.addEventListener('input', () => this.until.setCustomValidity(''));
    this.since.addEventListener('input', () => this.until.setCustomValidity(''));
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.apply();
    });
    // The reset event fires before the fields are cleared; read them after.
    this.form.addEventListener('reset', () => setTimeout(() => this.apply()));
    this.pseudonymise.addEventListener('change', () => this.updateExports());
    this.newest.addEventListener('click', () => this.go(null));
    this.older.addEventListener('click', () => {
      if (this.nextCursor) this.go(this.nextCursor);
    });
    for (const link of [this.exportCsv, this.exportJsonl]) {
      link.addEventListener('click', (event) => {
        // A download after the session's end would save the 401 as the file: go and log in again instead.
        if (sessionExpired()) {
          event.preventDefault();
          leaveForLogin('expired');
          return;
        }
        // A session ended early (logged out elsewhere) is known only to the server; a 401 here leads to the login.
        void getJson('/api/admin/session').catch(() => undefined);
      });
    }
    this.transcript.onErased = () => void this.refresh().catch(() => undefined);
    this.updateExports();
  }

  /** The automatic refresh leaves an older page alone: it would move rows under the reader's eyes. */
  get followsNewest(): boolean {
    return this.cursor === null;
  }

  /**
   * The form's filters become the applied ones: the newest page under them, and the export links with them (until
   * the server refuses them: then the list stays as it was, and the links go back to it).
   */
  private apply(): void {
    const filters = this.formFilters();
    if (filters.since && filters.until && filters.until < filters.since) {
      this.until.setCustomValidity('“To” is before “From”: no conversation could match.');
      this.until.reportValidity();
      return;
    }
    this.applied = filters;
    this.updateExports(this.appliedQuery());
    this.go(null);
  }

  /**
   * A page other than the one shown. Its "Older" cursor is unknown until it arrives, and the shown page's belongs to
   * other filters or another place: "Older" does nothing meanwhile (it stays enabled, so it keeps the focus).
   */
  private go(cursor: string | null): void {
    this.cursor = cursor;
    this.nextCursor = null;
    void this.refresh().catch((error: unknown) => {
      markStale(this.updated, error instanceof Error ? error.message : String(error));
      this.updateExports(this.shownQuery);
    });
  }

  /** Resolves without drawing when a later call superseded this one. */
  async refresh(): Promise<void> {
    this.loading?.abort();
    const loading = new AbortController();
    this.loading = loading;
    const cursor = this.cursor;
    const query = this.appliedQuery();
    let page: ConversationPage;
    try {
      page = await getJson<ConversationPage>(
        withQuery('/api/admin/study/conversations', { ...query, cursor: cursor ?? undefined }),
        loading.signal,
      );
    } catch (error) {
      if (loading.signal.aborted || isAbort(error)) return;
      throw error;
    }
    if (loading.signal.aborted) return;
    this.loading = null;
    // A refresh must not take the keyboard focus away from the row the reader was on.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.open : undefined;
    this.nextCursor = page.nextCursor;
    this.body.replaceChildren(
      page.items.length
        ? table<ConversationSummary>(
            cursor ? 'Conversations (older page)' : 'Conversations, newest first',
            [
              { label: 'Started', key: 'createdAt', value: (row) => localTime(row.createdAt) },
              { label: 'Arm', key: 'arm', value: (row) => armCell(row) },
              {
                label: 'Status',
                key: 'status',
                value: (row) => statusText(row),
              },
              { label: 'Step', key: 'step', value: (row) => row.step, numeric: true },
              { label: 'Label', key: 'label', value: (row) => row.label ?? '–' },
              {
                label: 'Top score',
                key: 'topScore',
                value: (row) => (row.topScore === null ? '–' : row.topScore.toFixed(2)),
                numeric: true,
              },
              {
                label: 'Origin',
                key: 'origin',
                value: (row) => (row.origin === 'greeting' ? 'greeting' : 'no greeting'),
              },
              {
                label: 'Transcript',
                key: 'open',
                value: (row) =>
                  h(
                    'button',
                    {
                      attrs: {
                        type: 'button',
                        // Many conversations start in the same minute: the short id and the arm tell them apart.
                        'aria-label': `Open conversation ${row.id.slice(0, 8)}, ${armName(row)}, started ${localTime(row.createdAt)}`,
                      },
                      data: { open: row.id },
                    },
                    'Open',
                  ),
              },
            ],
            page.items,
            (row) => ({ data: { id: row.id }, class: row.erased ? 'erased' : undefined }),
          )
        : h('p', { class: 'summary' }, 'No conversation matches these filters.'),
    );
    for (const button of this.body.querySelectorAll<HTMLButtonElement>('button[data-open]')) {
      button.addEventListener('click', () => void this.transcript.open(button.dataset.open ?? '', button));
      if (focused && button.dataset.open === focused) button.focus();
    }
    const olderHadFocus = document.activeElement === this.older;
    this.newest.disabled = cursor === null;
    this.older.disabled = page.nextCursor === null;
    // A disabled button drops the focus to the page's start; the last page's "Older" hands it to "Newest".
    if (olderHadFocus && this.older.disabled && !this.newest.disabled) this.newest.focus();
    this.shownQuery = query;
    markUpdated(this.updated, new Date().toISOString());
  }

  private formFilters(): Filters {
    return {
      arm: this.arm.value,
      status: this.status.value,
      abandonReason: this.abandonReason.value,
      label: this.label.value,
      origin: this.origin.value,
      since: this.since.value,
      until: this.until.value,
    };
  }

  /** The applied filters as the API reads them: the list and the export take the same ones. */
  private appliedQuery(): Record<string, string | undefined> {
    const filters = this.applied;
    const [brand, thinkLevel, feelLevel] = filters.arm ? filters.arm.split('/') : [];
    return {
      brand,
      thinkLevel,
      feelLevel,
      status: filters.status,
      abandonReason: filters.abandonReason,
      label: filters.label,
      origin: filters.origin,
      // The form's days are the reader's: from the start of "from" to the start of the day after "to"
      // (inclusive on screen, `until` exclusive in the API).
      since: filters.since ? localDayStart(filters.since) : undefined,
      until: filters.until ? localDayStart(filters.until, 1) : undefined,
    };
  }

  /** The export links carry every filter of `query`: a download holds exactly the conversations the list shows. */
  private updateExports(query = this.exportQuery): void {
    this.exportQuery = query;
    const params = {
      ...query,
      pseudonymise: this.pseudonymise.checked && !this.pseudonymiseField.hidden ? 'true' : undefined,
    };
    this.exportCsv.href = withQuery('/api/admin/conversations/export', { format: 'csv', ...params });
    this.exportJsonl.href = withQuery('/api/admin/conversations/export', { format: 'jsonl', ...params });
  }
}
