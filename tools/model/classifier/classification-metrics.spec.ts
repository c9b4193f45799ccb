import { classificationReport, confusionMatrix, macroF1 } from './classification-metrics';

describe('classification metrics', () => {
  // truth:     0 0 0 1 1 2
  // predicted: 0 0 1 1 2 2
  const actual = [0, 0, 0, 1, 1, 2];
  const predicted = [0, 0, 1, 1, 2, 2];

  it('counts the confusion matrix as [true][predicted]', () => {
    expect(confusionMatrix(actual, predicted, 3)).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
  });

  it('computes per-class precision, recall and F1 by hand-checked values', () => {
    const report = classificationReport(actual, predicted, ['x', 'y', 'z']);
    expect(report.perClass.x).toEqual({ precision: 1, recall: 2 / 3, f1: 0.8, support: 3 });
    expect(report.perClass.y.precision).toBeCloseTo(0.5);
    expect(report.perClass.y.recall).toBeCloseTo(0.5);
    expect(report.perClass.y.f1).toBeCloseTo(0.5);
    expect(report.perClass.z.precision).toBeCloseTo(0.5);
    expect(report.perClass.z.recall).toBe(1);
    expect(report.perClass.z.f1).toBeCloseTo(2 / 3);
    expect(report.accuracy).toBeCloseTo(4 / 6);
    expect(report.macroF1).toBeCloseTo((0.8 + 0.5 + 2 / 3) / 3);
    expect(report.total).toBe(6);
  });

  it('scores a never-predicted class 0 instead of NaN and ignores classes absent from the data', () => {
    expect(macroF1([0, 1], [0, 0], 2)).toBeCloseTo((2 / 3 + 0) / 2);
    expect(macroF1([0, 0], [0, 0], 4)).toBe(1);
  });

  it('rejects arrays of different length', () => {
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow();
  });
});
