import type { ConsoleSession } from '../console.types';
import { getJson, logOut, setSessionExpiry } from './api.client';
import { ArmsPanelView } from './arms.panel';
import { ConversationsPanelView } from './conversations.panel';
import { byId } from './dom';
import { DurationsPanelView } from './durations.panel';
import { localClock } from './format';
import { FunnelPanelView } from './funnel.panel';
import { LabelsPanelView } from './labels.panel';
import { markStale, type Panel } from './panel';
import { ServicePanelView } from './service.panel';
import { StudyScope } from './study-scope';
import { TimelinePanelView } from './timeline.panel';
import { TranscriptDialog } from './transcript.dialog';

/** Seconds between refreshes while the page is visible. */
const REFRESH_SECONDS = 5;
/** How long before the session ends the reader is told, so that work in hand can be finished first. */
const EXPIRY_WARNING_MS = 5 * 60_000;

/**
 * Tells the reader shortly before the session ends, and asks the server once it should have ended: even with the
 * refresh paused, an expired session then leads to the login page (with the reason) instead of failing silently.
 */
function watchSession(session: ConsoleSession): void {
  setSessionExpiry(session.expiresAt);
  if (session.expiresAt === null) return;
  const line = byId('session-state', HTMLParagraphElement);
  const end = Date.parse(session.expiresAt);
  const expiresAt = session.expiresAt;
  const warn = (): void => {
    line.textContent = `Your session ends at ${localClock(expiresAt)}; log in again after that.`;
    line.hidden = false;
  };
  const left = end - Date.now();
  if (left <= EXPIRY_WARNING_MS) warn();
  else window.setTimeout(warn, left - EXPIRY_WARNING_MS);
  window.setTimeout(
    () => {
      // A 401 leaves for the login page; a session still valid (the clocks disagree) is watched anew.
      void getJson<ConsoleSession>('/api/admin/session')
        .then((again) => {
          line.hidden = true;
          watchSession(again);
        })
        .catch(() => undefined);
    },
    // Past the end by the browser's clock yet valid by the server's: ask again now and then, not in a tight loop.
    left > 0 ? left + 1000 : 30_000,
  );
}

async function start(): Promise<void> {
  const session = await getJson<ConsoleSession>('/api/admin/session');
  watchSession(session);
  byId('queue-link', HTMLAnchorElement).hidden = !session.queueDashboard;
  byId('logout', HTMLButtonElement).addEventListener('click', logOut);

  const transcript = new TranscriptDialog();
  const conversations = new ConversationsPanelView(session, transcript);
  const scope = new StudyScope();
  const panels: Panel[] = [
    new ArmsPanelView(scope),
    new FunnelPanelView(scope),
    new LabelsPanelView(scope),
    new TimelinePanelView(scope),
    new DurationsPanelView(scope),
    new ServicePanelView(),
    conversations,
  ];
  const state = byId('refresh-state', HTMLParagraphElement);
  const toggle = byId('refresh-toggle', HTMLButtonElement);
  let paused = false;
  let timer: number | undefined;
  let running: Promise<void> | null = null;
  /** Whether another refresh is wanted as soon as the running one ends (the reader changed what is counted). */
  let again = false;

  const refreshAll = async (): Promise<void> => {
    // The reader's place matters more than fresh rows: an older page, or an open transcript, stays put.
    const due = panels.filter(
      (panel) => panel !== conversations || (conversations.followsNewest && !transcript.isOpen),
    );
    const failed: string[] = [];
    await Promise.all(
      due.map((panel) =>
        panel.refresh().catch((error: unknown) => {
          failed.push(panel.title);
          markStale(panel.updated, error instanceof Error ? error.message : String(error));
        }),
      ),
    );
    state.textContent = failed.length
      ? `Some panels could not be refreshed (${failed.join(', ')}); retrying every ${REFRESH_SECONDS} s.`
      : paused
        ? 'Refresh paused.'
        : `Refreshing every ${REFRESH_SECONDS} s while this page is visible.`;
  };

  /** One refresh at a time; the next is planned only once it is done, so a slow server is never piled on. */
  const run = (): void => {
    running = refreshAll().finally(() => {
      running = null;
      if (again) {
        again = false;
        run();
      } else if (!paused && document.visibilityState === 'visible') {
        timer = window.setTimeout(cycle, REFRESH_SECONDS * 1000);
      }
    });
  };
  const cycle = (): void => {
    window.clearTimeout(timer);
    if (paused || document.visibilityState !== 'visible') return;
    if (!running) run();
  };

  // Another choice of conversations is drawn at once, paused or not: the reader asked for it.
  scope.onChange(() => {
    window.clearTimeout(timer);
    if (running) again = true;
    else run();
  });

  toggle.addEventListener('click', () => {
    paused = !paused;
    toggle.setAttribute('aria-pressed', String(paused));
    toggle.textContent = paused ? 'Resume refresh' : 'Pause refresh';
    state.textContent = paused ? 'Refresh paused.' : 'Refreshing…';
    cycle();
  });
  document.addEventListener('visibilitychange', cycle);
  cycle();
}

void start().catch((error: unknown) => {
  byId('refresh-state', HTMLParagraphElement).textContent =
    `The console could not start: ${error instanceof Error ? error.message : String(error)}`;
});
