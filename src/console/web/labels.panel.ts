import type uPlot from 'uplot';
import type { LabelCounts, LabelsArm, LabelsPanel, ScoreBucket } from '../console.types';
import { bars, chartHeight, Chart, COLORS, countAxis, countScale } from './chart';
import { byId, table } from './dom';
import { armCell, armId, count } from './format';
import { markUpdated, type Panel } from './panel';
import type { StudyScope } from './study-scope';

const CHOSEN = ['A', 'B', 'C', 'Other'] as const;
const total = (counts: LabelCounts): number => counts.A + counts.B + counts.C + counts.Other + counts.unclassified;

/** Labels per arm; the classifier's top score as a histogram stacked by label. */
export class LabelsPanelView implements Panel {
  readonly title = 'Labels';
  private readonly body = byId('labels-body', HTMLDivElement);
  private readonly histogram = byId('labels-histogram', HTMLDivElement);
  readonly updated = byId('labels-updated', HTMLParagraphElement);
  private readonly chart = new Chart(byId('labels-chart', HTMLDivElement), (width) => this.chartOptions(width));
  /** The counts per label behind the stacked bars, for the legend (the bars themselves hold running sums). */
  private own: number[][] = [];

  constructor(private readonly scope: StudyScope) {}

  async refresh(): Promise<void> {
    const panel = await this.scope.ask<LabelsPanel>('/api/admin/study/labels');
    if (!panel) return;
    const rows: LabelsArm[] = [...panel.arms, { brand: 'All', thinkLevel: '', feelLevel: '', counts: panel.totals }];
    this.body.replaceChildren(
      table<LabelsArm>(
        'Labels per arm',
        [
          { label: 'Arm', key: 'arm', value: (row) => (row.brand === 'All' ? 'All arms' : armCell(row)) },
          ...CHOSEN.map((label) => ({
            label,
            key: label,
            value: (row: LabelsArm) => count(row.counts[label]),
            numeric: true,
          })),
          {
            label: 'None',
            title: 'Not classified yet (no complaint sent)',
            key: 'unclassified',
            value: (row) => count(row.counts.unclassified),
            numeric: true,
          },
          { label: 'Total', key: 'total', value: (row) => count(total(row.counts)), numeric: true },
        ],
        rows,
        (row) => ({
          data: { arm: row.brand === 'All' ? 'all' : armId(row) },
          class: row.brand === 'All' ? 'total' : undefined,
        }),
      ),
    );
    this.histogram.replaceChildren(
      table<ScoreBucket>(
        'Top score per label, buckets of 0.05',
        [
          { label: 'Top score', key: 'bucket', value: (bucket) => `${bucket.from.toFixed(2)}–${bucket.to.toFixed(2)}` },
          ...CHOSEN.map((label) => ({
            label,
            key: label,
            value: (bucket: ScoreBucket) => count(bucket.counts[label]),
            numeric: true,
          })),
          { label: 'All', key: 'total', value: (bucket) => count(bucket.total), numeric: true },
        ],
        panel.topScore,
        (bucket) => ({ data: { bucket: bucket.from.toFixed(2) } }),
      ),
    );
    // Stacked bars: each series is the running sum up to its label, drawn widest first so the narrower cover it.
    this.own = CHOSEN.map((label) => panel.topScore.map((bucket) => bucket.counts[label]));
    const stacked = CHOSEN.map((_, index) =>
      panel.topScore.map((_bucket, at) => {
        const height = this.own.slice(0, index + 1).reduce((sum, series) => sum + series[at], 0);
        // An empty bucket draws nothing (a zero would still show as a hairline bar).
        return height > 0 ? height : null;
      }),
    ).reverse();
    this.chart.update([panel.topScore.map((bucket) => (bucket.from + bucket.to) / 2), ...stacked]);
    markUpdated(this.updated, panel.generatedAt, panel.origin);
  }

  private chartOptions(width: number): uPlot.Options {
    const order = [...CHOSEN].reverse();
    return {
      width,
      height: chartHeight,
      scales: { x: { time: false, range: [0.2, 1] }, y: countScale() },
      axes: [{ values: (_, ticks) => ticks.map((tick) => tick.toFixed(2)) }, countAxis()],
      series: [
        { label: 'Top score', value: (_, value) => (value === null ? '–' : value.toFixed(3)) },
        ...order.map((label, index) => ({
          label,
          fill: COLORS[label],
          stroke: COLORS[label],
          paths: bars(),
          points: { show: false },
          // The legend shows the label's own count, not the running sum its bar is drawn to.
          value: (_: uPlot, _value: number | null, _series: number, at: number | null) =>
            at === null ? '–' : count(this.own[CHOSEN.length - 1 - index]?.[at] ?? 0),
        })),
      ],
    };
  }
}
