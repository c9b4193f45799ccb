/**
 * `npm run bench:model:verify`: checks the generated benchmark models in bench/.cache/models through the
 * transformers.js text-classification pipeline (4 finite scores summing to 1; a text alone and inside a padded
 * batch scores the same) and measures single-threaded latency and memory. Each model is measured in its own
 * child process, so RSS figures are not polluted by the model loaded before it.
 */
import { execFileSync } from 'node:child_process';
import { DEFAULT_MODELS_DIR, MODEL_IDS } from './model-ids';

interface Case {
  label: string;
  modelId: string;
  dtype: 'fp32' | 'q8';
}

interface Measurement {
  label: string;
  loadMs: number;
  rssBeforeMb: number;
  rssLoadedMb: number;
  rssAfterRunsMb: number;
  scores: number[];
  scoreSum: number;
  batchMaxDiff: number;
  tokens: number;
  pipelineMedianMs: number;
  pipelineP90Ms: number;
  sessionMedianMs: number;
}

const CASES: Case[] = [
  { label: 'fp32 (distilbert-shaped-fp32, dtype fp32 → model.onnx)', modelId: MODEL_IDS.fp32, dtype: 'fp32' },
  { label: 'int8 (distilbert-shaped-int8, dtype fp32 → model.onnx)', modelId: MODEL_IDS.int8, dtype: 'fp32' },
  { label: 'int8 (distilbert-shaped-int8, dtype q8 → model_quantized.onnx)', modelId: MODEL_IDS.int8, dtype: 'q8' },
];
const RUNS = 30;
const TARGET_TOKENS = 32;
const MODELS_DIR = DEFAULT_MODELS_DIR;
const COMPLAINT =
  'I ordered a pair of running shoes three weeks ago and they still have not arrived. The tracking page says the ' +
  'parcel was delivered on Monday but nothing came, and nobody at customer service answers my emails. I want a ' +
  'full refund to my card or a replacement sent by express delivery this week.';
const SHORT_TEXT = 'My refund never arrived.';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function timeRuns(run: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await run(); // warm-up: ORT allocates its arena on the first runs
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

type Scores = { label: string; score: number }[];

/** Scores in id2label order, whatever order top_k returned them in. */
function ordered(output: Scores, labels: string[]): number[] {
  return labels.map((label) => output.find((o) => o.label === label)?.score ?? Number.NaN);
}

async function measure(testCase: Case): Promise<Measurement> {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.localModelPath = `${MODELS_DIR}/`;
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const rssBefore = process.memoryUsage().rss;
  const loadStart = Date.now();
  const pipe = await pipeline('text-classification', testCase.modelId, {
    device: 'cpu',
    dtype: testCase.dtype,
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  });
  const loadMs = Date.now() - loadStart;
  const rssLoaded = process.memoryUsage().rss;
  const labels = Object.values((pipe.model.config as unknown as { id2label: Record<string, string> }).id2label);
  const classify = async (texts: string | string[]): Promise<Scores[]> => {
    const out = (await pipe(texts as string[], { top_k: null })) as unknown as Scores[] | Scores;
    return Array.isArray(texts) ? (out as Scores[]) : [out as Scores];
  };

  const alone = ordered((await classify(SHORT_TEXT))[0], labels);
  const inBatch = ordered((await classify([SHORT_TEXT, COMPLAINT]))[0], labels);
  const batchMaxDiff = Math.max(...alone.map((s, i) => Math.abs(s - inBatch[i])));

  // A 32-token input: the complaint truncated to the tokenizer's max length. In transformers.js 4.x
  // `model_max_length` is a getter over the tokenizer config (assigning it throws), so set it in the config.
  (pipe.tokenizer as unknown as { _tokenizerConfig: { model_max_length: number } })._tokenizerConfig.model_max_length =
    TARGET_TOKENS;
  const encoded = pipe.tokenizer(COMPLAINT, { truncation: true });
  const scores = ordered((await classify(COMPLAINT))[0], labels);

  const pipelineTimes = await timeRuns(() => classify(COMPLAINT));
  // The bare ONNX session on the same tensors: the model's own cost without tokenizer and softmax.
  const session = (pipe.model as unknown as { sessions: Record<string, { run(f: object): Promise<unknown> }> }).sessions
    .model;
  const feeds = { input_ids: encoded.input_ids.ort_tensor, attention_mask: encoded.attention_mask.ort_tensor };
  const sessionTimes = await timeRuns(() => session.run(feeds));
  const result: Measurement = {
    label: testCase.label,
    loadMs,
    rssBeforeMb: mb(rssBefore),
    rssLoadedMb: mb(rssLoaded),
    rssAfterRunsMb: mb(process.memoryUsage().rss),
    scores,
    scoreSum: scores.reduce((a, b) => a + b, 0),
    batchMaxDiff,
    tokens: encoded.input_ids.dims[1],
    pipelineMedianMs: percentile(pipelineTimes, 0.5),
    pipelineP90Ms: percentile(pipelineTimes, 0.9),
    sessionMedianMs: percentile(sessionTimes, 0.5),
  };
  await pipe.dispose();
  return result;
}

function runChild(testCase: Case): Measurement {
  const stdout = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', __filename, '--child', JSON.stringify(testCase)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 1024 * 1024 },
  );
  const line = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Measurement;
}

function check(condition: boolean, message: string): boolean {
  say(`  ${condition ? 'ok  ' : 'FAIL'} ${message}`);
  return condition;
}

function report(results: Measurement[]): boolean {
  let ok = true;
  for (const r of results) {
    say(r.label);
    // int8: DynamicQuantizeLinear takes one scale over the whole batch, so batch companions (padding included)
    // shift the activation quantization a little; fp32 must agree to float rounding.
    const tolerance = r.label.startsWith('fp32') ? 1e-4 : 1e-2;
    ok =
      check(
        r.scores.length === 4 && r.scores.every(Number.isFinite),
        `4 finite scores [${r.scores.map((s) => s.toFixed(4)).join(', ')}]`,
      ) && ok;
    ok = check(Math.abs(r.scoreSum - 1) < 1e-5, `scores sum to ${r.scoreSum.toFixed(6)}`) && ok;
    ok =
      check(
        r.batchMaxDiff <= tolerance,
        `alone vs padded batch: max |Δ| ${r.batchMaxDiff.toExponential(2)} (≤ ${tolerance})`,
      ) && ok;
  }
  const [fp32, int8] = results;
  const drift = Math.max(...fp32.scores.map((s, i) => Math.abs(s - int8.scores[i])));
  say(
    `int8 vs fp32 scores on the ${fp32.tokens}-token text: max |Δ| ${drift.toExponential(2)} (same weights, quantized)`,
  );
  say('');
  say(
    `| model | tokens | load ms | RSS before → loaded → after runs (MB) | pipeline median / p90 ms | session.run median ms |`,
  );
  say(`|---|---|---|---|---|---|`);
  for (const r of results) {
    say(
      `| ${r.label} | ${r.tokens} | ${r.loadMs} | ${r.rssBeforeMb} → ${r.rssLoadedMb} → ${r.rssAfterRunsMb} | ` +
        `${r.pipelineMedianMs.toFixed(1)} / ${r.pipelineP90Ms.toFixed(1)} | ${r.sessionMedianMs.toFixed(1)} |`,
    );
  }
  return ok;
}

async function main(): Promise<void> {
  const childIndex = process.argv.indexOf('--child');
  if (childIndex >= 0) {
    say(JSON.stringify(await measure(JSON.parse(process.argv[childIndex + 1]) as Case)));
    return;
  }
  say(`${RUNS} runs each, intraOpNumThreads 1, models from ${MODELS_DIR}`);
  const ok = report(CASES.map(runChild));
  process.exitCode = ok ? 0 : 1;
}

void main();
