/**
 * One ceiling worker thread: a single-threaded ONNX session behind the transformers.js pipeline, driven exactly
 * as the service's runtime drives it (tokenize with padding and truncation to maxTokens, run the model, softmax),
 * but with no HTTP, Redis, semaphore or message hop per request: the model's own throughput on this machine.
 */
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { TextClassificationPipeline } from '@huggingface/transformers';
import type { CeilingWorkerData, FromCeilingWorker, RunRequest, ToCeilingWorker } from './ceiling-protocol';

const port = parentPort;
if (!port) throw new Error('ceiling.worker must run as a worker thread');
const data = workerData as CeilingWorkerData;
const post = (message: FromCeilingWorker): void => port.postMessage(message);

function softmax(values: Float32Array): number[] {
  const max = Math.max(...values);
  const exps = Array.from(values, (value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

async function load(): Promise<TextClassificationPipeline> {
  const transformers = await import('@huggingface/transformers');
  transformers.env.localModelPath = `${data.modelsDir}${path.sep}`;
  transformers.env.allowLocalModels = true;
  transformers.env.allowRemoteModels = false;
  return transformers.pipeline('text-classification', data.modelId, {
    device: 'cpu',
    dtype: 'fp32',
    session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
  });
}

async function classify(pipe: TextClassificationPipeline, texts: string[]): Promise<number> {
  const inputs = pipe.tokenizer(texts, { padding: true, truncation: true, max_length: data.maxTokens });
  const { logits } = (await pipe.model(inputs)) as { logits: { data: Float32Array; dims: number[] } };
  const [rows, columns] = logits.dims;
  for (let row = 0; row < rows; row++) softmax(logits.data.subarray(row * columns, (row + 1) * columns));
  return (inputs.input_ids as { dims: number[] }).dims[1];
}

/**
 * What a length-grouping scheduler can do with a queue as deep as the service's at 50 connections: the texts
 * in arrival order, each window of this many sorted by length (an upper bound: it ignores the age limit).
 */
const GROUP_WINDOW = 48;

function groupedOrder(texts: string[]): string[] {
  const ordered: string[] = [];
  for (let start = 0; start < texts.length; start += GROUP_WINDOW) {
    ordered.push(...texts.slice(start, start + GROUP_WINDOW).sort((a, b) => a.length - b.length));
  }
  return ordered;
}

async function run(pipe: TextClassificationPipeline, request: RunRequest): Promise<void> {
  let cursor = 0;
  const order = request.grouped ? groupedOrder(request.texts) : request.texts;
  const nextBatch = (): string[] => Array.from({ length: request.batch }, () => order[cursor++ % order.length]);
  // Warm-up: at least one batch, so ORT has sized its arena for this batch size before the clock starts.
  const warmupEnd = performance.now() + request.warmupMs;
  do await classify(pipe, nextBatch());
  while (performance.now() < warmupEnd);

  const batchMs: number[] = [];
  let texts = 0;
  let sequenceTotal = 0;
  const started = performance.now();
  const end = started + request.durationMs;
  while (performance.now() < end) {
    const begun = performance.now();
    sequenceTotal += await classify(pipe, nextBatch());
    batchMs.push(performance.now() - begun);
    texts += request.batch;
  }
  post({
    type: 'done',
    texts,
    batches: batchMs.length,
    elapsedMs: performance.now() - started,
    batchMs,
    meanSequenceLength: batchMs.length ? sequenceTotal / batchMs.length : 0,
  });
}

const loadStarted = Date.now();
load().then(
  (pipe) => {
    post({ type: 'loaded', loadMs: Date.now() - loadStarted });
    port.on('message', (message: ToCeilingWorker) => {
      switch (message.type) {
        case 'run':
          run(pipe, message).catch((error: unknown) =>
            post({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
          );
          return;
        case 'exit':
          void pipe.dispose().finally(() => process.exit(0));
          return;
      }
    });
  },
  (error: unknown) => post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) }),
);
