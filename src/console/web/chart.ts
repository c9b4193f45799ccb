import uPlot from 'uplot';
import { count } from './format';

export const COLORS = {
  started: '#1f5fbf',
  completed: '#1a7f37',
  A: '#1f5fbf',
  B: '#c45500',
  C: '#1a7f37',
  Other: '#6e7781',
  bar: '#1f5fbf',
} as const;

const HEIGHT = 220;

/**
 * A uPlot chart that fills its box: built on the first data, redrawn with new data on each refresh, resized with
 * its container (a phone turned sideways, a window made narrower). Changing the series rebuilds it.
 */
export class Chart {
  private plot: uPlot | null = null;
  private seriesKey = '';

  constructor(
    private readonly host: HTMLElement,
    private readonly options: (width: number) => uPlot.Options,
  ) {
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(host);
  }

  /** `seriesKey` names the series shown; a different one rebuilds the chart instead of only swapping data. */
  update(data: uPlot.AlignedData, seriesKey = ''): void {
    if (this.plot && seriesKey === this.seriesKey) {
      this.plot.setData(data);
      return;
    }
    this.plot?.destroy();
    this.seriesKey = seriesKey;
    this.plot = new uPlot(this.recordingAxes(this.options(this.width())), data, this.host);
  }

  /**
   * The labels each axis last drew, as data-axis0, data-axis1 … on the chart's box: the canvas holds them only as
   * pixels, and the browser test reads them there.
   */
  private recordingAxes(options: uPlot.Options): uPlot.Options {
    const axes = options.axes?.map((axis, index): uPlot.Axis => {
      const values = axis.values;
      if (typeof values !== 'function') return axis;
      return {
        ...axis,
        values: (self, splits, axisIdx, foundSpace, foundIncr) => {
          const labels = values(self, splits, axisIdx, foundSpace, foundIncr);
          this.host.dataset[`axis${index}`] = labels.map((label) => String(label ?? '')).join('|');
          return labels;
        },
      };
    });
    return { ...options, axes };
  }

  private width(): number {
    return Math.max(240, this.host.clientWidth);
  }
}

export const chartHeight = HEIGHT;

/** Bars for a series (uPlot draws lines unless told). */
export const bars = (): uPlot.Series.PathBuilder | undefined => uPlot.paths.bars?.({ size: [0.7, 60] });

/** Whole steps only (1, 2, 5 × powers of ten): a count axis never shows 0.5, nor repeats a label rounded to 0 or 1. */
const COUNT_INCRS = Array.from({ length: 10 }, (_, power) => [1, 2, 5].map((step) => step * 10 ** power)).flat();

/** Pixels per character of the axis font (uPlot's 12 px system-ui: digits ~7 px wide), and the ticks' own room. */
const CHAR_PX = 7.5;
const TICKS_PX = 18;

/**
 * A value axis of counts: whole-number ticks as 12,345, and wide enough for its longest label, so that large counts
 * are not clipped at the chart's edge. uPlot calls `size` once without labels (before it has made them).
 */
export const countAxis = (): uPlot.Axis => ({
  values: (_, ticks) => ticks.map((tick) => count(tick)),
  incrs: COUNT_INCRS,
  size: (_, values: string[] | null) =>
    TICKS_PX + CHAR_PX * Math.max(2, ...(values ?? []).map((value) => value.length)),
});

/** A count scale from zero (a cut-off axis exaggerates every difference), at least 0–1 when all is zero. */
export const countScale = (): uPlot.Scale => ({
  range: (_, _min, max) => [0, Math.max(1, Number.isFinite(max) ? max : 0) * 1.05],
});
