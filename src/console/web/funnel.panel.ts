import type uPlot from 'uplot';
import type { FunnelArm, FunnelPanel, FunnelStep } from '../console.types';
import { getJson, withQuery } from './api.client';
import { bars, chartHeight, Chart, COLORS, countAxis, countScale } from './chart';
import { byId, table } from './dom';
import { armCell, armId, count, shareOf } from './format';
import { markUpdated, type Panel } from './panel';

/** Where participants stop: reached, answered and abandoned at each step; per arm when asked. */
export class FunnelPanelView implements Panel {
  readonly title = 'Completion funnel';
  private readonly body = byId('funnel-body', HTMLDivElement);
  readonly updated = byId('funnel-updated', HTMLParagraphElement);
  private readonly byArm = byId('funnel-by-arm', HTMLInputElement);
  private names: string[] = [];
  private readonly chart = new Chart(byId('funnel-chart', HTMLDivElement), (width) => this.chartOptions(width));

  constructor() {
    this.byArm.addEventListener('change', () => void this.refresh().catch(() => undefined));
  }

  async refresh(): Promise<void> {
    const panel = await getJson<FunnelPanel>(
      withQuery('/api/admin/study/funnel', { byArm: this.byArm.checked ? 'true' : undefined }),
    );
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
    if (panel.arms)
      parts.push(
        this.perArm(
          panel.arms,
          panel.steps.map((step) => step.name),
        ),
      );
    this.body.replaceChildren(...parts);
    markUpdated(this.updated, panel.generatedAt);
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
