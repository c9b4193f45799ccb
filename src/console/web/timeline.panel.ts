import uPlot from 'uplot';
import type { TimelineBucket, TimelinePanel, TimelinePoint } from '../console.types';
import { ApiError } from './api.client';
import { chartHeight, Chart, COLORS, countAxis, countScale } from './chart';
import { byId, table } from './dom';
import { count, dateFormat, LOCAL_ZONE, localDate, localTime } from './format';
import { markUpdated, type Panel } from './panel';
import type { StudyScope } from './study-scope';

const HOUR = 3600;
const DAY = 24 * HOUR;
/** uPlot's month and year, in its units (30 and 365 days): it lays such ticks on the 1st of a month or January. */
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;
/** Day-level ticks for day buckets: a day's tick never reads 12am, 8am, 4pm. */
const DAY_INCRS = [DAY, 2 * DAY, 3 * DAY, 7 * DAY, 14 * DAY, MONTH, 2 * MONTH, 3 * MONTH, 6 * MONTH, YEAR, 2 * YEAR];
const HOUR_INCRS = [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY];

const DAY_LABEL = { month: 'short', day: 'numeric' } as const;
const MONTH_LABEL = { month: 'short', year: 'numeric' } as const;
const HOUR_LABEL = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;

/**
 * Conversations started and completed per hour or per day of the reader's time zone: the server counts the zone's
 * own hours and days (`tz`), and the chart and table show them in it. A server that refuses the zone (one its
 * PostgreSQL does not know) is asked for UTC buckets, shown as such.
 */
export class TimelinePanelView implements Panel {
  readonly title = 'Over time';
  private readonly body = byId('timeline-body', HTMLDivElement);
  readonly updated = byId('timeline-updated', HTMLParagraphElement);
  private readonly bucket = byId('timeline-bucket', HTMLSelectElement);
  private readonly caption = byId('timeline-caption', HTMLElement);
  /** The bucket and zone of the data drawn: the chart's time axis is built for them. */
  private drawn: TimelineBucket = 'day';
  private drawnZone = LOCAL_ZONE;
  /** The zone asked for: the reader's, or UTC once the server refused it. */
  private zone = LOCAL_ZONE;
  private readonly chart = new Chart(byId('timeline-chart', HTMLDivElement), (width) => this.chartOptions(width));

  constructor(private readonly scope: StudyScope) {
    this.bucket.addEventListener('change', () => void this.refresh().catch(() => undefined));
  }

  async refresh(): Promise<void> {
    const bucket = this.bucket.value as TimelineBucket;
    const ask = (tz: string) => this.scope.ask<TimelinePanel>('/api/admin/study/timeline', { bucket, tz });
    const panel = await ask(this.zone).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.status === 400 && this.zone !== 'UTC')) throw error;
      this.zone = 'UTC';
      return ask(this.zone);
    });
    if (!panel) return;
    this.drawn = panel.bucket;
    const zone = panel.timeZone;
    this.drawnZone = zone;
    this.caption.textContent = `Started and completed conversations, per ${panel.bucket} in ${zone}.`;
    this.chart.update(
      [
        panel.points.map((point) => Date.parse(point.at) / 1000),
        panel.points.map((point) => point.started),
        panel.points.map((point) => point.completed),
      ],
      `${panel.bucket} ${zone}`,
    );
    this.body.replaceChildren(
      table<TimelinePoint>(
        `Per ${panel.bucket} since ${localTime(panel.since, zone)}`,
        [
          {
            label: panel.bucket === 'hour' ? 'Hour' : 'Day',
            key: 'at',
            value: (point) => (panel.bucket === 'hour' ? localTime(point.at, zone) : localDate(point.at, zone)),
          },
          { label: 'Started', key: 'started', value: (point) => count(point.started), numeric: true },
          { label: 'Completed', key: 'completed', value: (point) => count(point.completed), numeric: true },
        ],
        [...panel.points].reverse(),
        (point) => ({ data: { at: point.at } }),
      ),
    );
    markUpdated(this.updated, panel.generatedAt, panel.origin);
  }

  private chartOptions(width: number): uPlot.Options {
    const step = this.drawn === 'hour' ? HOUR : DAY;
    const zone = this.drawnZone;
    const dayLabel = dateFormat(zone, DAY_LABEL);
    const hourLabel = dateFormat(zone, HOUR_LABEL);
    return {
      width,
      height: chartHeight,
      // Ticks at the zone's midnights and hours, the buckets' own starts.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), zone),
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
              if (this.drawn === 'hour') {
                const hour = hourLabel.format(at);
                return hour === '00:00' ? dayLabel.format(at) : hour;
              }
              return incr >= MONTH ? dateFormat(zone, MONTH_LABEL).format(at) : dayLabel.format(at);
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
