import type { ConversationTranscript, TranscriptTurn } from '../console.types';
import { ApiError, getJson, isAbort, request } from './api.client';
import { byId, h, table } from './dom';
import { armName, duration, gap, localTime } from './format';

/** What `DELETE /api/admin/conversations/:id` answers. */
interface ErasureAnswer {
  id: string;
  erasedAt: string;
  alreadyErased: boolean;
}

const WHO: Record<string, string> = { participant: 'Participant', bot: 'Bot' };

/** Why a conversation is abandoned, in the words the status line uses. */
const ABANDONED_BECAUSE: Record<string, string> = {
  idle: 'idle past the time limit',
  reset: 'reset by the page',
  erased: 'erased while in progress',
};

/** "abandoned at step 3 (reset by the page, <time>)"; the reason is absent for one abandoned before it was kept. */
function statusLine(conversation: ConversationTranscript): string {
  const line = `${conversation.status} at step ${conversation.step}`;
  const because = conversation.abandonReason ? ABANDONED_BECAUSE[conversation.abandonReason] : undefined;
  if (!because) return line;
  return `${line} (${because}, ${localTime(conversation.abandonedAt)})`;
}

/** One conversation in a modal dialog: its condition, scores, model and content version, code and transcript. */
export class TranscriptDialog {
  private readonly dialog = byId('transcript-dialog', HTMLDialogElement);
  private readonly title = byId('transcript-title', HTMLHeadingElement);
  private readonly body = byId('transcript-body', HTMLDivElement);
  private readonly status = byId('transcript-status', HTMLParagraphElement);
  private readonly eraseOpen = byId('erase-open', HTMLButtonElement);
  private readonly close = byId('transcript-close', HTMLButtonElement);
  private readonly confirm = byId('erase-dialog', HTMLDialogElement);
  private readonly confirmTarget = byId('erase-target', HTMLParagraphElement);
  private readonly confirmErase = byId('erase-confirm', HTMLButtonElement);
  /** The conversation shown, and only once its own answer arrived: the erasure acts on it and nothing else. */
  private current: ConversationTranscript | null = null;
  /** The id last opened (shown or loading); the focus goes back to its row. */
  private wanted: string | null = null;
  /** The load of the last-opened conversation; opening another or closing aborts it, so a late answer never shows. */
  private loading: AbortController | null = null;
  /** The conversation the confirmation names, fixed when it opens. */
  private erasing: ConversationTranscript | null = null;
  /** Where the keyboard focus goes back to when the dialog closes. */
  private opener: HTMLElement | null = null;
  /** Called after an erasure, so the list shows the tombstone. */
  onErased: () => void = () => undefined;

  constructor() {
    this.close.addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.loading?.abort();
      this.loading = null;
      // A refresh may have redrawn the list meanwhile: then the same conversation's new button takes the focus.
      const id = this.wanted;
      const again = id ? document.querySelector<HTMLElement>(`button[data-open="${CSS.escape(id)}"]`) : null;
      (this.opener?.isConnected ? this.opener : again)?.focus();
    });
    this.eraseOpen.addEventListener('click', () => {
      if (!this.current) return;
      this.erasing = this.current;
      this.confirmTarget.textContent = `Conversation ${this.current.id}`;
      this.confirm.showModal();
      byId('erase-cancel', HTMLButtonElement).focus();
    });
    byId('erase-cancel', HTMLButtonElement).addEventListener('click', () => this.confirm.close());
    this.confirmErase.addEventListener('click', () => void this.erase());
  }

  get isOpen(): boolean {
    return this.dialog.open;
  }

  /** Shows conversation `id`; resolves once it is shown, failed, or superseded by another open or a close. */
  async open(id: string, opener: HTMLElement | null): Promise<void> {
    this.loading?.abort();
    const loading = new AbortController();
    this.loading = loading;
    this.opener = opener;
    this.wanted = id;
    this.current = null;
    this.eraseOpen.disabled = true;
    this.title.textContent = `Conversation ${id.slice(0, 8)}`;
    this.status.textContent = '';
    this.body.replaceChildren(h('p', {}, 'Loading…'));
    if (!this.dialog.open) this.dialog.showModal();
    let conversation: ConversationTranscript;
    try {
      conversation = await getJson<ConversationTranscript>(
        `/api/admin/study/conversations/${encodeURIComponent(id)}`,
        loading.signal,
      );
    } catch (error) {
      if (loading.signal.aborted || isAbort(error)) return;
      this.loading = null;
      this.title.textContent = 'Conversation not loaded';
      this.body.replaceChildren(
        h(
          'p',
          { class: 'error' },
          `The transcript of conversation ${id.slice(0, 8)} could not be loaded (${this.reasonOf(error)}). ` +
            'Close this and open it again.',
        ),
      );
      return;
    }
    if (loading.signal.aborted) return;
    this.loading = null;
    this.show(conversation);
  }

  private reasonOf(error: unknown): string {
    if (error instanceof ApiError) return `${error.status}: ${error.message}`;
    // fetch's own TypeError ("Failed to fetch") means the server was not reached.
    if (error instanceof TypeError) return 'the server could not be reached';
    return error instanceof Error ? error.message : String(error);
  }

  private show(conversation: ConversationTranscript): void {
    this.current = conversation;
    this.title.textContent = `Conversation ${conversation.id.slice(0, 8)}`;
    this.eraseOpen.disabled = conversation.erasedAt !== null;
    const facts: [string, string, string][] = [
      ['id', 'Id', conversation.id],
      ['arm', 'Arm', armName(conversation)],
      ['status', 'Status', statusLine(conversation)],
      ['origin', 'Origin', `${conversation.origin} via /${conversation.entryPoint}`],
      ['label', 'Label', conversation.label ?? 'not classified'],
      ['model', 'Model', conversation.modelId ? `${conversation.modelId} @ ${conversation.modelRevision ?? '?'}` : '–'],
      ['contentVersion', 'Study content version', conversation.contentVersion],
      ['completionCode', 'Completion code', conversation.completionCode ?? '–'],
      ['email', 'E-mail', conversation.email ?? '–'],
      ['started', 'Started', localTime(conversation.createdAt)],
      ['completed', 'Completed', localTime(conversation.completedAt)],
      ['duration', 'Duration', duration(conversation.durationMs)],
      ['erased', 'Erased', conversation.erasedAt ? localTime(conversation.erasedAt) : 'no'],
    ];
    const scores: [string, number | null][] = [
      ['A', conversation.scoreA],
      ['B', conversation.scoreB],
      ['C', conversation.scoreC],
      ['Other', conversation.scoreOther],
    ];
    this.body.replaceChildren(
      h(
        'dl',
        { class: 'facts' },
        ...facts.flatMap(([key, term, value]) => [h('dt', {}, term), h('dd', { data: { fact: key } }, value)]),
      ),
      table<[string, number | null]>(
        'Classifier scores',
        [
          { label: 'Label', key: 'label', value: ([label]) => label },
          {
            label: 'Score',
            key: 'score',
            value: ([, score]) => (score === null ? '–' : score.toFixed(4)),
            numeric: true,
          },
        ],
        scores,
        ([label]) => ({ data: { label }, class: label === conversation.label ? 'chosen' : undefined }),
      ),
      h('h3', {}, `Transcript (${conversation.turns.length} messages)`),
      conversation.turns.length
        ? h(
            'ol',
            { class: 'turns' },
            ...conversation.turns.map((turn, i) => this.turn(turn, conversation.turns[i - 1])),
          )
        : h('p', {}, conversation.erasedAt ? 'Erased: no transcript is kept.' : 'No messages yet.'),
    );
  }

  /**
   * One message, with the time since the one before it: before a participant's message, how long they took to
   * answer; before a reply, the server's time on the step (the classifier, the LLM).
   */
  private turn(turn: TranscriptTurn, previous: TranscriptTurn | undefined): HTMLElement {
    const after = previous ? ` · after ${gap(Date.parse(turn.createdAt) - Date.parse(previous.createdAt))}` : '';
    return h(
      'li',
      { class: `turn ${turn.sender}`, data: { step: String(turn.step), kind: turn.kind } },
      h(
        'p',
        { class: 'turn-meta' },
        `${WHO[turn.sender] ?? turn.sender} · step ${turn.step} · ${turn.kind}${turn.messageType ? ` · ${turn.messageType}` : ''}${after}`,
      ),
      // Participant and model text: a text node, never markup.
      h('p', { class: 'turn-text' }, turn.text),
    );
  }

  private async erase(): Promise<void> {
    const conversation = this.erasing;
    // Only the conversation on screen, the one the confirmation names.
    if (!conversation || conversation.id !== this.current?.id) {
      this.confirm.close();
      return;
    }
    this.confirmErase.disabled = true;
    try {
      const answer = await request<ErasureAnswer>(
        'DELETE',
        `/api/admin/conversations/${encodeURIComponent(conversation.id)}`,
      );
      this.confirm.close();
      // The confirmation hands the focus back to "Erase…", which the reload disables: keep it in the dialog.
      this.close.focus();
      await this.open(conversation.id, this.opener);
      this.onErased();
      // Another conversation opened meanwhile owns the dialog now; a failed reload still says what happened.
      if (this.wanted !== conversation.id) return;
      this.status.textContent = answer.alreadyErased
        ? `Already erased at ${localTime(answer.erasedAt)}.`
        : `Erased at ${localTime(answer.erasedAt)}.`;
      this.close.focus();
    } catch (error) {
      this.confirm.close();
      this.status.textContent =
        error instanceof ApiError && error.code === 'HTTP.NOT_FOUND'
          ? 'Erasure is not available on this server yet.'
          : `Not erased: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      this.erasing = null;
      this.confirmErase.disabled = false;
    }
  }
}
