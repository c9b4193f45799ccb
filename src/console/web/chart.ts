import uPlot from 'uplot';

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
    this.plot = new uPlot(this.options(this.width()), data, this.host);
  }

  private width(): number {
    return Math.max(240, this.host.clientWidth);
  }
}

export const chartHeight = HEIGHT;

/** Bars for a series (uPlot draws lines unless told). */
export const bars = (): uPlot.Series.PathBuilder | undefined => uPlot.paths.bars?.({ size: [0.7, 60] });
