import uPlot from 'uplot';
import type { TimelineBucket, TimelinePanel, TimelinePoint } from '../console.types';
import { getJson, withQuery } from './api.client';
import { chartHeight, Chart, COLORS } from './chart';
import { byId, table } from './dom';
import { count, utcTime } from './format';
import { markUpdated, type Panel } from './panel';

/** Conversations started and completed per hour or per day, in UTC. */
export class TimelinePanelView implements Panel {
  readonly title = 'Over time';
  private readonly body = byId('timeline-body', HTMLDivElement);
  readonly updated = byId('timeline-updated', HTMLParagraphElement);
  private readonly bucket = byId('timeline-bucket', HTMLSelectElement);
  private readonly chart = new Chart(byId('timeline-chart', HTMLDivElement), (width) => ({
    width,
    height: chartHeight,
    // The buckets are UTC hours and days: show them as such, whatever the researcher's time zone.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    axes: [{}, { values: (_, ticks) => ticks.map((tick) => count(tick)), size: 70 }],
    series: [
      {},
      { label: 'Started', stroke: COLORS.started, width: 2 },
      { label: 'Completed', stroke: COLORS.completed, width: 2 },
    ],
  }));

  constructor() {
    this.bucket.addEventListener('change', () => void this.refresh().catch(() => undefined));
  }

  async refresh(): Promise<void> {
    const bucket = this.bucket.value as TimelineBucket;
    const panel = await getJson<TimelinePanel>(withQuery('/api/admin/study/timeline', { bucket }));
    this.chart.update([
      panel.points.map((point) => Date.parse(point.at) / 1000),
      panel.points.map((point) => point.started),
      panel.points.map((point) => point.completed),
    ]);
    this.body.replaceChildren(
      table<TimelinePoint>(
        `Per ${panel.bucket} since ${utcTime(panel.since)}`,
        [
          {
            label: panel.bucket === 'hour' ? 'Hour' : 'Day',
            key: 'at',
            value: (point) => (panel.bucket === 'hour' ? utcTime(point.at) : point.at.slice(0, 10)),
          },
          { label: 'Started', key: 'started', value: (point) => count(point.started), numeric: true },
          { label: 'Completed', key: 'completed', value: (point) => count(point.completed), numeric: true },
        ],
        [...panel.points].reverse(),
        (point) => ({ data: { at: point.at } }),
      ),
    );
    markUpdated(this.updated, panel.generatedAt);
  }
}
