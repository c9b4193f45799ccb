/** Multi-class evaluation maths: confusion matrix, per-class precision/recall/F1, macro-F1 and accuracy. */

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  macroF1: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[true][predicted], rows and columns in `labels` order. */
  confusionMatrix: number[][];
  labels: string[];
  total: number;
}

export function confusionMatrix(
  actual: readonly number[],
  predicted: readonly number[],
  numClasses: number,
): number[][] {
  if (actual.length !== predicted.length) throw new Error('actual and predicted differ in length');
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  actual.forEach((truth, i) => matrix[truth][predicted[i]]++);
  return matrix;
}

/** An empty denominator gives 0 (sklearn's zero_division=0), so a never-predicted class scores 0, not NaN. */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function classMetrics(matrix: number[][], k: number): ClassMetrics {
  const tp = matrix[k][k];
  const support = matrix[k].reduce((a, b) => a + b, 0);
  const predictedK = matrix.reduce((sum, row) => sum + row[k], 0);
  const precision = ratio(tp, predictedK);
  const recall = ratio(tp, support);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
}

/** Mean F1 over the classes that have examples (a class absent from the data would only add a meaningless 0). */
export function macroF1(actual: readonly number[], predicted: readonly number[], numClasses: number): number {
  const matrix = confusionMatrix(actual, predicted, numClasses);
  const present = matrix.map((_, k) => k).filter((k) => matrix[k].some((n) => n > 0));
  if (present.length === 0) return 0;
  return present.reduce((sum, k) => sum + classMetrics(matrix, k).f1, 0) / present.length;
}

export function classificationReport(
  actual: readonly number[],
  predicted: readonly number[],
  labels: readonly string[],
): ClassificationReport {
  const matrix = confusionMatrix(actual, predicted, labels.length);
  const perClass: Record<string, ClassMetrics> = {};
  labels.forEach((label, k) => (perClass[label] = classMetrics(matrix, k)));
  const correct = matrix.reduce((sum, row, k) => sum + row[k], 0);
  return {
    accuracy: ratio(correct, actual.length),
    macroF1: macroF1(actual, predicted, labels.length),
    perClass,
    confusionMatrix: matrix,
    labels: [...labels],
    total: actual.length,
  };
}
