import type { ConsoleSession, ConversationPage, ConversationSummary } from '../console.types';
import { getJson, withQuery } from './api.client';
import { byId, h, table } from './dom';
import { armCell, armId, armName, utcTime } from './format';
import { markUpdated, type Panel } from './panel';
import type { TranscriptDialog } from './transcript.dialog';

const ARMS = ['Basic', 'Lulu'].flatMap((brand) =>
  ['High', 'Low'].flatMap((thinkLevel) => ['High', 'Low'].map((feelLevel) => ({ brand, thinkLevel, feelLevel }))),
);
const STATUS_NAMES: Record<string, string> = {
  in_progress: 'In progress',
  completed: 'Completed',
  abandoned: 'Abandoned',
};

/** The day after a yyyy-mm-dd date: "to" is inclusive on screen, `until` exclusive in the API. */
function dayAfter(date: string): string {
  const next = new Date(`${date}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/**
 * Conversations newest first under the chosen filters, a page at a time (keyset: "Older" follows the server's
 * cursor, "Newest" starts over); each opens its transcript. The export links follow the filters the export knows.
 */
export class ConversationsPanelView implements Panel {
  readonly title = 'Conversations';
  private readonly form = byId('conversation-filters', HTMLFormElement);
  private readonly arm = byId('filter-arm', HTMLSelectElement);
  private readonly status = byId('filter-status', HTMLSelectElement);
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
  /** The cursor of the page shown (null: the newest page) and of the next one. */
  private cursor: string | null = null;
  private nextCursor: string | null = null;

  constructor(
    session: ConsoleSession,
    private readonly transcript: TranscriptDialog,
  ) {
    for (const arm of ARMS) this.arm.append(h('option', { attrs: { value: armId(arm) } }, armName(arm)));
    this.pseudonymiseField.hidden = !session.pseudonymisedExport;
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.cursor = null;
      void this.refresh().catch(() => undefined);
    });
    // The reset event fires before the fields are cleared; read them after.
    this.form.addEventListener('reset', () =>
      setTimeout(() => {
        this.cursor = null;
        void this.refresh().catch(() => undefined);
      }),
    );
    this.form.addEventListener('change', () => this.updateExports());
    this.pseudonymise.addEventListener('change', () => this.updateExports());
    this.newest.addEventListener('click', () => {
      this.cursor = null;
      void this.refresh().catch(() => undefined);
    });
    this.older.addEventListener('click', () => {
      this.cursor = this.nextCursor;
      void this.refresh().catch(() => undefined);
    });
    this.transcript.onErased = () => void this.refresh().catch(() => undefined);
    this.updateExports();
  }

  /** The automatic refresh leaves an older page alone: it would move rows under the reader's eyes. */
  get followsNewest(): boolean {
    return this.cursor === null;
  }

  async refresh(): Promise<void> {
    const [brand, thinkLevel, feelLevel] = this.arm.value ? this.arm.value.split('/') : [];
    const page = await getJson<ConversationPage>(
      withQuery('/api/admin/study/conversations', {
        brand,
        thinkLevel,
        feelLevel,
        status: this.status.value,
        label: this.label.value,
        origin: this.origin.value,
        since: this.since.value,
        until: this.until.value ? dayAfter(this.until.value) : undefined,
        cursor: this.cursor ?? undefined,
      }),
    );
    // A refresh must not take the keyboard focus away from the row the reader was on.
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.open : undefined;
    this.nextCursor = page.nextCursor;
    this.body.replaceChildren(
      page.items.length
        ? table<ConversationSummary>(
            this.cursor ? 'Conversations (older page)' : 'Conversations, newest first',
            [
              { label: 'Started', key: 'createdAt', value: (row) => utcTime(row.createdAt) },
              { label: 'Arm', key: 'arm', value: (row) => armCell(row) },
              {
                label: 'Status',
                key: 'status',
                value: (row) => `${STATUS_NAMES[row.status] ?? row.status}${row.erased ? ' · erased' : ''}`,
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
                      attrs: { type: 'button', 'aria-label': `Open conversation started ${utcTime(row.createdAt)}` },
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
    this.newest.disabled = this.cursor === null;
    this.older.disabled = page.nextCursor === null;
    markUpdated(this.updated, new Date().toISOString());
  }

  /** The export route filters by status, origin and start date only; the links carry exactly those. */
  private updateExports(): void {
    const params = {
      status: this.status.value,
      origin: this.origin.value,
      since: this.since.value,
      pseudonymise: this.pseudonymise.checked && !this.pseudonymiseField.hidden ? 'true' : undefined,
    };
    this.exportCsv.href = withQuery('/api/admin/conversations/export', { format: 'csv', ...params });
    this.exportJsonl.href = withQuery('/api/admin/conversations/export', { format: 'jsonl', ...params });
  }
}
