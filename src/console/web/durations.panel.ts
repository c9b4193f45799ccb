import type { DurationsArm, DurationsPanel } from '../console.types';
import { byId, table } from './dom';
import { armCell, armId, count, duration } from './format';
import { markUpdated, type Panel } from './panel';
import type { StudyScope } from './study-scope';

/** Median and quartiles of the time to completion, per arm and over all. */
export class DurationsPanelView implements Panel {
  readonly title = 'Duration per arm';
  private readonly body = byId('durations-body', HTMLDivElement);
  readonly updated = byId('durations-updated', HTMLParagraphElement);

  constructor(private readonly scope: StudyScope) {}

  async refresh(): Promise<void> {
    const panel = await this.scope.ask<DurationsPanel>('/api/admin/study/durations');
    if (!panel) return;
    const rows: DurationsArm[] = [...panel.arms, { brand: 'All', thinkLevel: '', feelLevel: '', ...panel.overall }];
    this.body.replaceChildren(
      table<DurationsArm>(
        'Time to completion',
        [
          { label: 'Arm', key: 'arm', value: (row) => (row.brand === 'All' ? 'All arms' : armCell(row)) },
          { label: 'Completed', key: 'completed', value: (row) => count(row.completed), numeric: true },
          { label: 'Q1', title: 'First quartile', key: 'q1', value: (row) => duration(row.q1Ms), numeric: true },
          { label: 'Median', key: 'median', value: (row) => duration(row.medianMs), numeric: true },
          { label: 'Q3', title: 'Third quartile', key: 'q3', value: (row) => duration(row.q3Ms), numeric: true },
        ],
        rows,
        (row) => ({
          data: { arm: row.brand === 'All' ? 'all' : armId(row) },
          class: row.brand === 'All' ? 'total' : undefined,
        }),
      ),
    );
    markUpdated(this.updated, panel.generatedAt, panel.origin);
  }
}
