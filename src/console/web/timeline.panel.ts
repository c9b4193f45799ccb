import uPlot from 'uplot';
import type { TimelineBucket, TimelinePanel, TimelinePoint } from '../console.types';
import { getJson, withQuery } from './api.client';
import { chartHeight, Chart, COLORS, countAxis, countScale } from './chart';
import { byId, table } from './dom';
import { count, utcTime } from './format';
import { markUpdated, type Panel } from './panel';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** uPlot's month and year, in its units (30 and 365 days): it lays such ticks on the 1st of a month or January. */
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;
/** Day-level ticks for day buckets: a day's tick never reads 12am, 8am, 4pm. */
const DAY_INCRS = [DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, MONTH, 2 * MONTH, 3 * MONTH, 6 * MONTH, YEAR, 2 * YEAR];
const HOUR_INCRS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY];

const dayLabel = new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short', day: 'numeric' });
const monthLabel = new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'short', year: 'numeric' });
const hourLabel = new Intl.DateTimeFormat('en', {
  timeZone: 'UTC',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Conversations started and completed per hour or per day, in UTC. */
export class TimelinePanelView implements Panel {
  readonly title = 'Over time';
  private readonly body = byId('timeline-body', HTMLDivElement);
  readonly updated = byId('timeline-updated', HTMLParagraphElement);
  private readonly bucket = byId('timeline-bucket', HTMLSelectElement);
  /** The bucket of the data drawn: the chart's time axis is built for it. */
  private drawn: TimelineBucket = 'day';
  private readonly chart = new Chart(byId('timeline-chart', HTMLDivElement), (width) => this.chartOptions(width));

  constructor() {
    this.bucket.addEventListener('change', () => void this.refresh().catch(() => undefined));
  }

  async refresh(): Promise<void> {
    const bucket = this.bucket.value as TimelineBucket;
    const panel = await getJson<TimelinePanel>(withQuery('/api/admin/study/timeline', { bucket }));
    this.drawn = panel.bucket;
    this.chart.update(
      [
        panel.points.map((point) => Date.parse(point.at) / 1000),
        panel.points.map((point) => point.started),
        panel.points.map((point) => point.completed),
      ],
      panel.bucket,
    );
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

  private chartOptions(width: number): uPlot.Options {
    const step = this.drawn === 'hour' ? HOUR : DAY;
    return {
      width,
      height: chartHeight,
      // The buckets are UTC hours and days: show them as such, whatever the researcher's time zone.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      scales: {
        x: {
          time: true,
          // uPlot widens a lone point to 86,400 of its time units, in seconds a thousand days: one bucket (or none)
          // gets a bucket-wide axis around it instead. More points keep the range asked for (a zoom included).
          range: (self, min, max) => {
            const at = self.data[0];
            if (at.length > 1) return [min, max];
            const only = at.length === 1 ? at[0] : Math.floor(Date.now() / 1000 / step) * step;
            return [only - step / 2, only + step / 2];
          },
        },
        y: countScale(),
      },
      axes: [
        {
          incrs: this.drawn === 'hour' ? HOUR_INCRS : DAY_INCRS,
          values: (_, ticks, _axis, _space, incr) =>
            ticks.map((tick) => {
              const at = new Date(tick * 1000);
              if (this.drawn === 'hour') return at.getUTCHours() === 0 ? dayLabel.format(at) : hourLabel.format(at);
              return incr >= MONTH ? monthLabel.format(at) : dayLabel.format(at);
            }),
        },
        countAxis(),
      ],
      series: [
        {},
        { label: 'Started', stroke: COLORS.started, width: 2 },
        { label: 'Completed', stroke: COLORS.completed, width: 2 },
      ],
    };
  }
}
