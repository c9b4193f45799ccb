import type { ArmRow, ArmsPanel, ScopeBalance } from '../console.types';
import { byId, h, table } from './dom';
import { attritionText } from './attrition-text';
import { armCell, armId, count } from './format';
import { markUpdated, type Panel } from './panel';
import type { StudyScope } from './study-scope';

/** Started / in progress / completed / abandoned per arm; the block balance of each allocation scope. */
export class ArmsPanelView implements Panel {
  readonly title = 'Arms';
  private readonly body = byId('arms-body', HTMLDivElement);
  readonly updated = byId('arms-updated', HTMLParagraphElement);

  /** Shown while every origin is counted and some conversations started without the greeting. */
  private readonly originNotice = byId('arms-origin-notice', HTMLParagraphElement);
  private readonly originText = byId('arms-origin-text', HTMLSpanElement);

  constructor(private readonly scope: StudyScope) {
    byId('arms-origin-only', HTMLButtonElement).addEventListener('click', () => this.scope.choose('greeting'));
  }

  async refresh(): Promise<void> {
    const panel = await this.scope.ask<ArmsPanel>('/api/admin/study/arms');
    if (!panel) return;
    const fewest = Math.min(...panel.arms.map((arm) => arm.completed));
    // The arms furthest behind in completions are the ones recruitment should watch.
    const lagging = (arm: ArmRow): boolean => panel.completedSpread > 0 && arm.completed === fewest;
    const arms = table<ArmRow>(
      'Conversations per arm',
      [
        {
          label: 'Arm',
          key: 'arm',
          value: (arm) => armCell(arm, ...(lagging(arm) ? [h('span', { class: 'badge' }, 'fewest completions')] : [])),
        },
        { label: 'Started', key: 'started', value: (arm) => count(arm.started), numeric: true },
        {
          label: 'Active',
          title: 'In progress',
          key: 'inProgress',
          value: (arm) => count(arm.inProgress),
          numeric: true,
        },
        { label: 'Done', title: 'Completed', key: 'completed', value: (arm) => count(arm.completed), numeric: true },
        { label: 'Left', title: 'Abandoned', key: 'abandoned', value: (arm) => count(arm.abandoned), numeric: true },
        {
          label: 'Slots',
          title: 'Condition slots taken, whatever the conversations counted',
          key: 'assigned',
          value: (arm) => count(arm.assigned),
          numeric: true,
        },
        {
          label: 'Behind',
          title: 'Completions fewer than the most completed arm',
          key: 'completedBehind',
          value: (arm) => (arm.completedBehind > 0 ? `−${count(arm.completedBehind)}` : '0'),
          numeric: true,
        },
      ],
      panel.arms,
      (arm) => ({
        data: { arm: armId(arm) },
        class: lagging(arm) ? 'lagging' : undefined,
      }),
    );
    const scopes = table<ScopeBalance>(
      'Block balance per allocation scope',
      [
        { label: 'Scope', key: 'scope', value: (scope) => scope.scope },
        { label: 'Blocks', key: 'blocks', value: (scope) => count(scope.blocks), numeric: true },
        { label: 'Free slots', key: 'freeSlots', value: (scope) => count(scope.freeSlots), numeric: true },
        {
          label: 'Per arm',
          title: 'Fewest–most slots taken by one arm',
          key: 'range',
          value: (scope) => `${count(scope.assignedMin)}–${count(scope.assignedMax)}`,
          numeric: true,
        },
        { label: 'Spread', key: 'spread', value: (scope) => count(scope.spread), numeric: true },
        {
          label: 'Balance',
          key: 'balanced',
          value: (scope) => (scope.balanced ? 'OK' : 'Imbalanced: more than one block apart'),
        },
      ],
      panel.scopes,
      (scope) => ({ data: { scope: scope.scope }, class: scope.balanced ? undefined : 'alert' }),
    );
    const summary = h(
      'p',
      {
        class: panel.completedSpread > 0 ? 'summary warn' : 'summary',
        data: { completedSpread: String(panel.completedSpread) },
      },
      `Completions differ by ${count(panel.completedSpread)} between the most and the least completed arm; `,
      `started conversations by ${count(panel.startedSpread)}.`,
    );
    const attrition = attritionText(panel.attrition);
    const attritionLine = h(
      'p',
      { class: attrition.warn ? 'summary warn' : 'summary', data: { attrition: panel.attrition.verdict } },
      attrition.text,
    );
    // Outside the redrawn body, so a reader on its button keeps the focus across refreshes.
    const started = panel.arms.reduce((total, arm) => total + arm.started, 0);
    this.originNotice.hidden = !(panel.origin === null && panel.startedWithoutGreeting > 0);
    this.originNotice.dataset.withoutGreeting = String(panel.startedWithoutGreeting);
    this.originText.textContent =
      `${count(panel.startedWithoutGreeting)} of the ${count(started)} conversations counted here started without ` +
      'the greeting (load tests, or a client that skipped it); every panel and the drop-out test count them.';
    this.body.replaceChildren(
      summary,
      attritionLine,
      arms,
      panel.scopes.length ? scopes : h('p', {}, 'No condition slots yet.'),
    );
    markUpdated(this.updated, panel.generatedAt, panel.origin);
  }
}
