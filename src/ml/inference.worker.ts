import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, InferenceWorkerData, ToWorker } from './inference-protocol';
import { loadTextClassifier, TextClassifierRuntime } from './model-runtime';
import { lowerThreadPriority } from './thread-priority';

/**
 * One inference worker thread: loads its own ONNX session and classifies what it is sent, so the
 * synchronous `session.run` never blocks the HTTP event loop.
 */
const port = parentPort;
if (!port) throw new Error('inference.worker must run as a worker thread');
const { ref, options } = workerData as InferenceWorkerData;
const post = (message: FromWorker): void => port.postMessage(message);

let runtime: TextClassifierRuntime | null = null;
const started = Date.now();
const nice = lowerThreadPriority(options.workerNice ?? 0);
loadTextClassifier(ref, options).then(
  (loaded) => {
    runtime = loaded;
    post({ type: 'loaded', revision: loaded.revision, loadMs: Date.now() - started, nice });
  },
  (error: unknown) => post({ type: 'load-failed', message: error instanceof Error ? error.message : String(error) }),
);

/** One message at a time, in arrival order: a pipelined next message waits here, off the clock. */
let previous: Promise<void> = Promise.resolve();

async function classify(id: number, texts: string[]): Promise<void> {
  const begun = performance.now();
  if (!runtime) {
    post({ type: 'error', id, message: 'model not loaded' });
    return;
  }
  try {
    const scores = await runtime.classify(texts);
    post({ type: 'result', id, scores, inferenceMs: performance.now() - begun });
  } catch (error) {
    post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'classify':
      previous = previous.then(() => classify(message.id, message.texts));
      return;
    case 'dispose':
      void previous.then(() => runtime?.dispose()).finally(() => post({ type: 'disposed' }));
      return;
  }
});
