/**
 * `npm run model:train`: trains the complaint classifier (A product, B delivery, C staff, Other) and writes a
 * transformers.js model directory (config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx,
 * metrics.json, NOTICE). Deterministic: same data + seed → byte-identical onnx/model.onnx.
 *
 * Options: --out DIR (models/combot-complaint-classifier) --seed N (42) --small (CI-sized, project data only)
 *          --no-shared --shared-dir DIR (../shared/data/complaints) --data-dir DIR (data/training) --epochs N
 * Paths are relative to the working directory (npm runs scripts from the repository root).
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import {
  contentRevision,
  freshStagingDir,
  jsonText,
  sha256Hex,
  swapInModelDirectory,
  writeFiles,
} from '../model-folder';
import { deriveRng } from '../seeded-random';
import { TokenizerEncoder } from '../tokenizer-encoder';
import { BERT_UNCASED, createTokenizerFiles } from '../tokenizer-files.writer';
import { SPECIAL_TOKENS } from '../wordpiece';
import { classificationReport, ClassificationReport } from './classification-metrics';
import { CombotModelInfo, createModelConfig, createNotice, MODEL_NAME } from './model-artifacts';
import { writeClassifierOnnx } from './onnx-classifier.writer';
import { argmax, EncodedExample, EpochRecord, predictLogits, trainTextClassifier } from './text-classifier.trainer';
import { addTypo } from './text-noise';
import {
  ComplaintLabel,
  countByLabel,
  DataFileInfo,
  LabelledText,
  LABELS,
  labelIndex,
  loadTrainingData,
  PROJECT_ORIGIN,
  stratifiedSplit,
} from './training-data';
import { buildWordPieceVocab, WordPieceVocabOptions } from './wordpiece-vocab.builder';

export interface TrainingProfile {
  name: 'full' | 'small';
  vocab: Partial<WordPieceVocabOptions>;
  embeddingDim: number;
  hiddenDim: number;
  epochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  /** Open-data `Other` rows kept (seeded sample); the rest would only slow training down. */
  maxSharedOther: number;
  tokenDropout: number;
  /** Probability that a training example is shown with one typo in an epoch. */
  typoRate: number;
  /** Class weights are (n / (k · n_c)) ^ power: 1 = fully balanced, 0 = unweighted. */
  classWeightPower: number;
  selectBy: 'macroF1' | 'loss';
  maxLength: number;
}

export const FULL_PROFILE: TrainingProfile = {
  name: 'full',
  vocab: { maxVocabSize: 8000 },
  embeddingDim: 64,
  hiddenDim: 64,
  epochs: 40,
  patience: 6,
  batchSize: 32,
  learningRate: 0.002,
  maxSharedOther: 6000,
  tokenDropout: 0.1,
  typoRate: 0.3,
  // Square-root weighting: fully balanced weights over-predicted A/B/C on chatty or generic Other texts.
  classWeightPower: 0.5,
  // The weighted loss moves more smoothly from epoch to epoch than macro-F1 on ~800 validation rows.
  selectBy: 'loss',
  maxLength: 128,
};

export const SMALL_PROFILE: TrainingProfile = {
  ...FULL_PROFILE,
  name: 'small',
  vocab: { maxVocabSize: 3000, minWordCount: 1, minPieceCount: 2 },
  embeddingDim: 32,
  hiddenDim: 32,
  epochs: 30,
  patience: 8,
  batchSize: 16,
  learningRate: 0.005,
};

export const HELD_OUT_FRACTION = 0.15;
/** Part of the training split used only to choose the epoch (early stopping). */
export const VALIDATION_FRACTION = 0.1;

export interface TrainModelOptions {
  outDir: string;
  dataDir: string;
  /** null: project rows only. */
  sharedDir: string | null;
  seed: number;
  small: boolean;
  epochs?: number;
  /** Overrides of the chosen profile's hyper-parameters (experiments, tests). */
  profile?: Partial<Omit<TrainingProfile, 'name'>>;
  log?: (line: string) => void;
}

export interface MetricsFile {
  model: string;
  revision: string;
  seed: number;
  profile: 'full' | 'small';
  evaluatedWith: string;
  split: { heldOutFraction: number; validationFraction: number; stratifiedBy: string };
  counts: {
    train: Record<ComplaintLabel, number>;
    validation: Record<ComplaintLabel, number>;
    heldOut: Record<ComplaintLabel, number>;
  };
  heldOut: ClassificationReport;
  heldOutByOrigin: Record<string, ClassificationReport>;
  /** Share of held-out texts where the shipped pipeline and the trainer's own forward pass pick the same class. */
  pipelineAgreesWithTrainer: number;
  training: { epochsRun: number; bestEpoch: number; history: EpochRecord[] };
  data: {
    files: { path: string; origin: string; rows: number; sha256: string }[];
    duplicatesDropped: number;
    conflictsDropped: number;
    sharedOtherAvailable: number;
    sharedOtherKept: number;
  };
}

export interface TrainModelResult {
  outDir: string;
  revision: string;
  metrics: MetricsFile;
  seconds: { data: number; training: number; evaluation: number; total: number };
}

const ORIGIN_GROUP = (row: LabelledText): string => (row.origin === PROJECT_ORIGIN ? 'project' : 'open-data');

function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** A date that depends on the inputs only: SOURCE_DATE_EPOCH (reproducible-builds convention) or the newest data file. */
function trainingDate(files: DataFileInfo[]): string {
  const fromEnv = process.env.SOURCE_DATE_EPOCH;
  const ms = fromEnv && /^\d+$/.test(fromEnv) ? Number(fromEnv) * 1000 : Math.max(...files.map((f) => f.mtimeMs));
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/**
 * Class weights (n / (k · n_c)) ^ power: with power 1 each class contributes equally to the loss whatever its size
 * (open-data Other outnumbers each complaint class several times over).
 */
function classWeightsFor(examples: readonly EncodedExample[], power: number): number[] {
  const counts = LABELS.map((_, k) => examples.filter((e) => e.label === k).length);
  counts.forEach((count, k) => {
    if (count === 0) throw new Error(`no training rows for label ${LABELS[k]}`);
  });
  return counts.map((count) => Math.pow(examples.length / (LABELS.length * count), power));
}

async function evaluateWithPipeline(modelDir: string, texts: string[]): Promise<number[]> {
  const saved = { localModelPath: env.localModelPath, allowRemoteModels: env.allowRemoteModels };
  env.localModelPath = dirname(resolve(modelDir)) + '/';
  env.allowRemoteModels = false;
  try {
    const classifier = await pipeline('text-classification', basename(modelDir));
    const predicted: number[] = [];
    for (let i = 0; i < texts.length; i += 64) {
      const outputs = (await classifier(texts.slice(i, i + 64))) as { label: string; score: number }[];
      for (const output of outputs) predicted.push(labelIndex(output.label as ComplaintLabel));
    }
    await classifier.dispose();
    return predicted;
  } finally {
    env.localModelPath = saved.localModelPath;
    env.allowRemoteModels = saved.allowRemoteModels;
  }
}

function directorySize(path: string): number {
  return readdirSync(path, { withFileTypes: true }).reduce((sum, entry) => {
    const full = join(path, entry.name);
    return sum + (entry.isDirectory() ? directorySize(full) : statSync(full).size);
  }, 0);
}

/**
 * A loss as metrics.json records it: 12 significant digits. The losses go through Math.log and Math.exp, whose last
 * bit differs between V8 versions (Node 20 and 24 disagree on half of them), while the weights written to the ONNX
 * file do not; rounded, the same data and seed give the same metrics.json on every supported Node.
 */
const reportedLoss = (loss: number): number => Number(loss.toPrecision(12));

export async function trainModel(options: TrainModelOptions): Promise<TrainModelResult> {
  const log = options.log ?? ((): void => undefined);
  const profile: TrainingProfile = { ...(options.small ? SMALL_PROFILE : FULL_PROFILE), ...options.profile };
  const epochs = options.epochs ?? profile.epochs;
  const started = process.hrtime.bigint();
  const outDir = resolve(options.outDir);

  // 1. Data: load, dedupe, subsample open-data Other, split held-out / validation / train.
  const data = loadTrainingData({
    dataDir: options.dataDir,
    sharedDir: options.small ? null : options.sharedDir,
    maxSharedOther: profile.maxSharedOther,
    rng: deriveRng(options.seed, 'subsample'),
    log,
  });
  for (const file of data.files) log(`data: ${relative(process.cwd(), file.path)} (${file.rows} rows)`);
  log(
    `data: ${data.rows.length} rows after dedupe (${data.duplicatesDropped} duplicates, ${data.conflictsDropped} ` +
      `conflicting texts dropped; open-data Other ${data.sharedOtherKept}/${data.sharedOtherAvailable} kept)`,
  );
  const stratum = (row: LabelledText): string => `${row.label}|${ORIGIN_GROUP(row)}`;
  const { first: trainAll, second: heldOut } = stratifiedSplit(
    data.rows,
    HELD_OUT_FRACTION,
    deriveRng(options.seed, 'held-out'),
    stratum,
  );
  const { first: fit, second: validation } = stratifiedSplit(
    trainAll,
    VALIDATION_FRACTION,
    deriveRng(options.seed, 'validation'),
    stratum,
  );
  const dataSeconds = secondsSince(started);

  // 2. Tokenizer: vocabulary from the training split only (the held-out text must stay unseen).
  const vocab = buildWordPieceVocab(
    trainAll.map((row) => row.text),
    profile.vocab,
  );
  const tokenizerFiles = createTokenizerFiles(vocab, profile.maxLength, BERT_UNCASED);
  const encoder = new TokenizerEncoder(tokenizerFiles);
  const encode = (rows: LabelledText[]): EncodedExample[] =>
    rows.map((row) => ({ ids: encoder.encode(row.text), label: labelIndex(row.label) }));
  const fitExamples = encode(fit);
  const validationExamples = encode(validation);
  const textOf = new Map<EncodedExample, string>(fitExamples.map((example, i) => [example, fit[i].text]));
  log(
    `tokenizer: ${vocab.length} tokens; train ${fit.length}, validation ${validation.length}, held-out ${heldOut.length}`,
  );

  // 3. Train.
  const trainStart = process.hrtime.bigint();
  const classWeights = classWeightsFor(fitExamples, profile.classWeightPower);
  log(`class weights: ${LABELS.map((label, k) => `${label} ${classWeights[k].toFixed(3)}`).join(', ')}`);
  const outcome = trainTextClassifier(fitExamples, validationExamples, vocab.length, {
    embeddingDim: profile.embeddingDim,
    hiddenDim: profile.hiddenDim,
    epochs,
    batchSize: profile.batchSize,
    learningRate: profile.learningRate,
    classWeights,
    patience: profile.patience,
    selectBy: profile.selectBy,
    tokenDropout: profile.tokenDropout,
    firstRegularId: SPECIAL_TOKENS.length,
    seed: options.seed,
    augment: (example, rng) => {
      if (rng() >= profile.typoRate) return null;
      const typo = addTypo(textOf.get(example) ?? '', rng);
      return typo === null ? null : encoder.encode(typo);
    },
    log,
  });
  const trainingSeconds = secondsSince(trainStart);

  // 4. Write the model directory into a staging directory beside the target, then swap it in.
  const onnxBytes = writeClassifierOnnx(outcome.weights, { labels: LABELS.join(','), seed: String(options.seed) });
  const revision = contentRevision(onnxBytes);
  const info: CombotModelInfo = {
    revision,
    trainedAt: trainingDate(data.files),
    dataSha256: sha256Hex(data.files.map((f) => f.sha256).join('\n')),
    seed: options.seed,
    profile: profile.name,
    vocabSize: vocab.length,
    embeddingDim: profile.embeddingDim,
    hiddenDim: profile.hiddenDim,
    maxLength: profile.maxLength,
    architecture: 'wordpiece embeddings, masked mean pooling ([CLS]/[SEP] included), dense+ReLU, dense → logits',
    epochsRun: outcome.history.length,
    bestEpoch: outcome.bestEpoch,
  };
  const staging = freshStagingDir(outDir);
  const relativePath = (path: string): string => relative(process.cwd(), path);
  writeFiles(staging, {
    'onnx/model.onnx': onnxBytes,
    'config.json': jsonText(createModelConfig(info)),
    'tokenizer.json': jsonText(tokenizerFiles.tokenizerJson),
    'tokenizer_config.json': jsonText(tokenizerFiles.tokenizerConfig),
    NOTICE: createNotice({
      projectFiles: data.files.filter((f) => f.origin === PROJECT_ORIGIN).map((f) => relativePath(f.path)),
      openDataFiles: data.files.filter((f) => f.origin !== PROJECT_ORIGIN).map((f) => relativePath(f.path)),
    }),
  });

  // 5. Held-out evaluation through the shipped artifact (transformers.js pipeline), cross-checked with the trainer.
  const evalStart = process.hrtime.bigint();
  const heldOutTexts = heldOut.map((row) => row.text);
  const actual = heldOut.map((row) => labelIndex(row.label));
  const predicted = await evaluateWithPipeline(staging, heldOutTexts);
  const trainerPredicted = heldOutTexts.map((text) => argmax(predictLogits(outcome.weights, encoder.encode(text))));
  const agreement = predicted.filter((p, i) => p === trainerPredicted[i]).length / Math.max(predicted.length, 1);
  const byOrigin: Record<string, ClassificationReport> = {};
  for (const group of ['project', 'open-data']) {
    const indices = heldOut.map((row, i) => (ORIGIN_GROUP(row) === group ? i : -1)).filter((i) => i >= 0);
    if (indices.length === 0) continue;
    byOrigin[group] = classificationReport(
      indices.map((i) => actual[i]),
      indices.map((i) => predicted[i]),
      LABELS,
    );
  }
  const metrics: MetricsFile = {
    model: MODEL_NAME,
    revision,
    seed: options.seed,
    profile: profile.name,
    evaluatedWith: '@huggingface/transformers text-classification pipeline on onnx/model.onnx',
    split: {
      heldOutFraction: HELD_OUT_FRACTION,
      validationFraction: VALIDATION_FRACTION,
      stratifiedBy: 'label + origin (project / open data)',
    },
    counts: { train: countByLabel(fit), validation: countByLabel(validation), heldOut: countByLabel(heldOut) },
    heldOut: classificationReport(actual, predicted, LABELS),
    heldOutByOrigin: byOrigin,
    pipelineAgreesWithTrainer: agreement,
    training: {
      epochsRun: outcome.history.length,
      bestEpoch: outcome.bestEpoch,
      history: outcome.history.map((epoch) => ({
        ...epoch,
        trainLoss: reportedLoss(epoch.trainLoss),
        validationLoss: reportedLoss(epoch.validationLoss),
      })),
    },
    data: {
      files: data.files.map((f) => ({ path: relativePath(f.path), origin: f.origin, rows: f.rows, sha256: f.sha256 })),
      duplicatesDropped: data.duplicatesDropped,
      conflictsDropped: data.conflictsDropped,
      sharedOtherAvailable: data.sharedOtherAvailable,
      sharedOtherKept: data.sharedOtherKept,
    },
  };
  writeFiles(staging, { 'metrics.json': jsonText(metrics) });
  const evaluationSeconds = secondsSince(evalStart);
  if (agreement < 0.99) {
    throw new Error(`pipeline and trainer disagree on ${((1 - agreement) * 100).toFixed(1)} % of held-out texts`);
  }
  swapInModelDirectory(staging, outDir);
  return {
    outDir,
    revision,
    metrics,
    seconds: {
      data: dataSeconds,
      training: trainingSeconds,
      evaluation: evaluationSeconds,
      total: secondsSince(started),
    },
  };
}

export interface CliOptions extends TrainModelOptions {
  help: boolean;
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = {
    outDir: join('models', MODEL_NAME),
    dataDir: join('data', 'training'),
    sharedDir: join('..', 'shared', 'data', 'complaints'),
    seed: 42,
    small: false,
    help: false,
  };
  let noShared = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value`);
      return next;
    };
    const integer = (): number => {
      const raw = value();
      if (!/^\d+$/.test(raw)) throw new Error(`${arg} needs a non-negative integer, got ${raw}`);
      return Number(raw);
    };
    switch (arg) {
      case '--out':
        options.outDir = value();
        break;
      case '--data-dir':
        options.dataDir = value();
        break;
      case '--shared-dir':
        options.sharedDir = value();
        break;
      case '--no-shared':
        noShared = true;
        break;
      case '--seed':
        options.seed = integer();
        break;
      case '--epochs':
        options.epochs = integer();
        if (options.epochs < 1) throw new Error('--epochs must be at least 1');
        break;
      case '--small':
        options.small = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  if (noShared) options.sharedDir = null;
  return options;
}

function formatSummary(result: TrainModelResult): string {
  const m = result.metrics.heldOut;
  const perClass = LABELS.map((label) => `${label} ${m.perClass[label].f1.toFixed(3)}`).join(', ');
  const origin = Object.entries(result.metrics.heldOutByOrigin)
    .map(([group, report]) => `${group} macro-F1 ${report.macroF1.toFixed(3)} (n=${report.total})`)
    .join('; ');
  const size = directorySize(result.outDir);
  return [
    `model: ${relative(process.cwd(), result.outDir) || '.'} revision ${result.revision} (${(size / 1024 / 1024).toFixed(2)} MB)`,
    `held-out (n=${m.total}): macro-F1 ${m.macroF1.toFixed(3)}, accuracy ${m.accuracy.toFixed(3)}; F1 ${perClass}`,
    `by origin: ${origin}`,
    `time: data ${result.seconds.data.toFixed(1)} s, training ${result.seconds.training.toFixed(1)} s, ` +
      `evaluation ${result.seconds.evaluation.toFixed(1)} s, total ${result.seconds.total.toFixed(1)} s`,
  ].join('\n');
}

async function main(): Promise<void> {
  const write = (line: string): void => void process.stdout.write(`${line}\n`);
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`train-model: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    write(
      'usage: train-model [--out DIR] [--seed N] [--small] [--no-shared] [--shared-dir DIR] [--data-dir DIR] [--epochs N]',
    );
    return;
  }
  const result = await trainModel({ ...options, log: write });
  write(formatSummary(result));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `train-model failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
