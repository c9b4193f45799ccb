import { allTargets, evaluateTarget, formatTarget, meets, TARGETS, type TargetSpec } from './targets';

// service-vs-ceiling, >= 0.85×
const atLeast: TargetSpec = { ...TARGETS.serviceShareOfCeiling, id: 't', description: 'ratio' };
const atMost: TargetSpec = { ...atLeast, comparator: '<=', threshold: 20, unit: 'ms' };
const exactly: TargetSpec = { ...atLeast, comparator: '==', threshold: 1, unit: '' };

describe('evaluateTarget', () => {
  it('passes on the boundary and fails just beyond it', () => {
    expect(evaluateTarget(atLeast, 0.85).status).toBe('PASS');
    expect(evaluateTarget(atLeast, 0.849).status).toBe('FAIL');
    expect(evaluateTarget(atMost, 20).status).toBe('PASS');
    expect(evaluateTarget(atMost, 20.01).status).toBe('FAIL');
  });

  it('judges several values by the worst one', () => {
    expect(evaluateTarget(exactly, [1, 1, 1])).toMatchObject({ status: 'PASS', measured: 1 });
    expect(evaluateTarget(exactly, [1, 2, 1])).toMatchObject({ status: 'FAIL', measured: 2 });
    expect(evaluateTarget(atLeast, [0.9, 0.8, 1.2])).toMatchObject({ status: 'FAIL', measured: 0.8 });
    expect(evaluateTarget(atMost, [5, 25])).toMatchObject({ status: 'FAIL', measured: 25 });
  });

  it('never passes a value that could not be measured, and marks a scenario that did not run N/A', () => {
    expect(evaluateTarget(atLeast, Number.NaN).status).toBe('FAIL');
    expect(evaluateTarget(exactly, [1, Number.NaN]).status).toBe('FAIL');
    expect(meets(Number.POSITIVE_INFINITY, '<=', 5)).toBe(false);
    expect(evaluateTarget(atLeast, null)).toMatchObject({ status: 'N/A', measured: null });
    expect(evaluateTarget(atLeast, [])).toMatchObject({ status: 'N/A' });
  });

  it('formats one markdown line per target', () => {
    expect(formatTarget(evaluateTarget(atLeast, 0.9123))).toBe('- **PASS** ratio: 0.91× (target >= 0.85×)');
    expect(formatTarget(evaluateTarget(atMost, null, 'quick'))).toBe(
      '- **N/A** ratio: not run (target <= 20ms) — quick',
    );
  });
});

describe('allTargets', () => {
  it('lists every target in order, N/A where its scenario did not run', () => {
    const judged = evaluateTarget(TARGETS.p95VsSeed, 0.3);
    const results = allTargets([judged]);
    expect(results.map((r) => r.id)).toEqual(Object.values(TARGETS).map((t) => t.id));
    expect(results.filter((r) => r.status !== 'N/A')).toEqual([judged]);
    expect(allTargets([]).every((r) => r.status === 'N/A')).toBe(true);
  });

  it('names each target by what it checks', () => {
    expect(TARGETS.p95VsSeed.id).toBe('p95-vs-seed');
    expect(TARGETS.cachedP99UnderLoad).toMatchObject({ id: 'cached-p99-under-load', comparator: '<=', threshold: 20 });
    expect(new Set(Object.values(TARGETS).map((t) => t.id)).size).toBe(Object.keys(TARGETS).length);
  });
});
