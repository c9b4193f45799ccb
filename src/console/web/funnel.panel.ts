import type uPlot from 'uplot';
import type { AbandonedBy, FunnelArm, FunnelPanel, FunnelStep } from '../console.types';
import { bars, chartHeight, Chart, COLORS, countAxis, countScale } from './chart';
import { byId, table, type Column } from './dom';
import { armCell, armId, count, shareOf } from './format';
import { markUpdated, type Panel } from './panel';
import type { StudyScope } from './study-scope';

/** One row of the drop-out reasons: a step (or all of them) and its drop-outs by why. */
interface DropOutRow {
  key: string;
  name: string;
  by: AbandonedBy;
}

/** Where participants stop: reached, answered and abandoned at each step; per arm when asked. */
export class FunnelPanelView implements Panel {
  readonly title = 'Completion funnel';
  private readonly body = byId('funnel-body', HTMLDivElement);
  readonly updated = byId('funnel-updated', HTMLParagraphElement);
  private readonly byArm = byId('funnel-by-arm', HTMLInputElement);
  private names: string[] = [];
  private readonly chart = new Chart(byId('funnel-chart', HTMLDivElement), (width) => this.chartOptions(width));

  constructor(private readonly scope: StudyScope) {
    this.byArm.addEventListener('change', () => void this.refresh().catch(() => undefined));
  }

  async refresh(): Promise<void> {
    const panel = await this.scope.ask<FunnelPanel>('/api/admin/study/funnel', {
      byArm: this.byArm.checked ? 'true' : undefined,
    });
    if (!panel) return;
    this.names = [...panel.steps.map((step) => step.name), 'Completed'];
    this.chart.update([
      this.names.map((_, index) => index),
      [...panel.steps.map((step) => step.reached), panel.completed],
    ]);
    const steps = table<FunnelStep>(
      `Funnel over ${count(panel.started)} conversations (${count(panel.completed)} completed, ${shareOf(panel.completed, panel.started)})`,
      [
        { label: 'Step', key: 'name', value: (step) => `${step.step} · ${step.name}` },
        { label: 'Reached', key: 'reached', value: (step) => count(step.reached), numeric: true },
        { label: 'Answered', key: 'answered', value: (step) => count(step.answered), numeric: true },
        {
          label: 'Dropped',
          title: 'Abandoned at this step',
          key: 'abandonedHere',
          value: (step) => count(step.abandonedHere),
          numeric: true,
        },
        {
          label: 'Waiting',
          title: 'In progress at this step now',
          key: 'waitingHere',
          value: (step) => count(step.waitingHere),
          numeric: true,
        },
        {
          label: 'Kept',
          title: 'Answered of reached',
          key: 'rate',
          value: (step) => shareOf(step.answered, step.reached),
          numeric: true,
        },
      ],
      panel.steps,
      (step) => ({ data: { step: String(step.step) } }),
    );
    const parts: Node[] = [steps];
    const reasons = this.dropOutReasons(panel.steps);
    if (reasons) parts.push(reasons);
    if (panel.arms)
      parts.push(
        this.perArm(
          panel.arms,
          panel.steps.map((step) => step.name),
        ),
      );
    this.body.replaceChildren(...parts);
    markUpdated(this.updated, panel.generatedAt, panel.origin);
  }

  /**
   * Why participants dropped out, at each step where some did: idle past the time limit (they left), reset by the
   * page, erased on request. A column for drop-outs stored before reasons were recorded only when there are any.
   * Nothing when nobody dropped out.
   */
  private dropOutReasons(steps: FunnelStep[]): HTMLElement | null {
    const dropped = steps.filter((step) => step.abandonedHere > 0);
    if (dropped.length === 0) return null;
    const total = (reason: keyof AbandonedBy): number => dropped.reduce((n, step) => n + step.abandonedBy[reason], 0);
    const rows: DropOutRow[] = [
      ...dropped.map((step) => ({ key: String(step.step), name: `${step.step} · ${step.name}`, by: step.abandonedBy })),
      {
        key: 'all',
        name: 'All steps',
        by: { idle: total('idle'), reset: total('reset'), erased: total('erased'), unrecorded: total('unrecorded') },
      },
    ];
    const reason = (label: string, title: string, key: keyof AbandonedBy): Column<DropOutRow> => ({
      label,
      title,
      key,
      value: (row) => count(row.by[key]),
      numeric: true,
    });
    return table<DropOutRow>(
      'Why they dropped out, at each step where some did',
      [
        { label: 'Step', key: 'name', value: (row) => row.name },
        reason('Idle', 'Left: idle past the time limit', 'idle'),
        reason('Reset', 'Reset by the chat page', 'reset'),
        reason('Erased', 'Erased on request while in progress', 'erased'),
        ...(total('unrecorded') > 0
          ? [reason('Not recorded', 'Abandoned before the service recorded why', 'unrecorded')]
          : []),
      ],
      rows,
      (row) => ({ data: { dropStep: row.key } }),
    );
  }

  private perArm(arms: FunnelArm[], names: string[]): HTMLElement {
    return table<FunnelArm>(
      'Reached each step, per arm (dropped out there in parentheses)',
      [
        { label: 'Arm', key: 'arm', value: (arm) => armCell(arm) },
        ...names.map((name, index) => ({
          label: String(index),
          title: name,
          key: `step${index}`,
          value: (arm: FunnelArm) => `${count(arm.steps[index].reached)} (${count(arm.steps[index].abandonedHere)})`,
          numeric: true,
        })),
        { label: 'Done', title: 'Completed', key: 'completed', value: (arm) => count(arm.completed), numeric: true },
      ],
      arms,
      (arm) => ({ data: { arm: armId(arm) } }),
    );
  }

  private chartOptions(width: number): uPlot.Options {
    return {
      width,
      height: chartHeight,
      legend: { show: false },
      scales: {
        x: { time: false, range: (_, min, max) => [min - 0.5, max + 0.5] },
        // A funnel read from a cut-off axis exaggerates every drop: always from zero.
        y: countScale(),
      },
      axes: [
        {
          // Step numbers (the table names them); the last bar is the completed conversations.
          values: (_, ticks) =>
            ticks.map((tick) =>
              Number.isInteger(tick) && tick < this.names.length
                ? tick === this.names.length - 1
                  ? 'done'
                  : String(tick)
                : '',
            ),
          splits: () => this.names.map((_, index) => index),
        },
        countAxis(),
      ],
      series: [{}, { label: 'Reached', fill: COLORS.bar, stroke: COLORS.bar, paths: bars(), points: { show: false } }],
    };
  }
}
