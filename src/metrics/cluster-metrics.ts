import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

type MetricJson = MetricObjectWithValues<MetricValue<string>>;

/**
 * The whole service's metrics when `API_PROCESSES` > 1. Each HTTP process counts in its own registry; a scrape lands
 * on whichever process the cluster hands the connection to, so that process asks the primary, which gathers the
 * registry of every process that has said it is ready, combines them (prom-client's aggregation: counters and
 * histograms summed, each gauge as it declares) and answers the text. A Prometheus scraping the shared port sees
 * one service whose counters only grow, not two processes whose counters alternate. A process that does not answer
 * in time (booting, draining, stuck) is left out of that scrape rather than failing it.
 */
const MESSAGE = {
  /** process → primary: its registry can be read. */
  ready: 'combot:metrics-ready',
  /** process → primary: the whole service's metrics, please. */
  request: 'combot:metrics-request',
  /** primary → process: the answer to `request`. */
  response: 'combot:metrics-response',
  /** primary → process: your registry, please. */
  gather: 'combot:metrics-gather',
  /** process → primary: the answer to `gather`. */
  part: 'combot:metrics-part',
} as const;

/** How long the primary waits for each process's registry; below the asking process's own wait. */
const GATHER_TIMEOUT_MS = 1_500;

type Message =
  | { type: typeof MESSAGE.ready }
  | { type: typeof MESSAGE.request; id: string }
  | { type: typeof MESSAGE.response; id: string; text?: string; error?: string }
  | { type: typeof MESSAGE.gather; id: string }
  | { type: typeof MESSAGE.part; id: string; metrics: MetricJson[] };

function isMessage<T extends Message['type']>(value: unknown, type: T): value is Extract<Message, { type: T }> {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === type;
}

/** In the primary: answers each process's request with every ready process's metrics, combined. */
export function serveClusterMetrics(): void {
  const ready = new Set<Worker>();
  const gathering = new Map<string, { parts: MetricJson[][]; waiting: Set<Worker>; finish: () => void }>();

  const gather = (asker: Worker, requestId: string): void => {
    const id = randomUUID();
    const targets = [...ready].filter((worker) => worker.isConnected());
    const parts: MetricJson[][] = [];
    const waiting = new Set(targets);
    const finish = (): void => {
      if (!gathering.delete(id)) return;
      clearTimeout(timer);
      const reply = (answer: { text?: string; error?: string }): void => {
        if (asker.isConnected()) asker.send({ type: MESSAGE.response, id: requestId, ...answer } satisfies Message);
      };
      AggregatorRegistry.aggregate(parts)
        .metrics()
        .then(
          (text) => reply({ text }),
          (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
        );
    };
    const timer = setTimeout(finish, GATHER_TIMEOUT_MS);
    gathering.set(id, { parts, waiting, finish });
    for (const worker of targets) worker.send({ type: MESSAGE.gather, id } satisfies Message);
    if (targets.length === 0) finish();
  };

  cluster.on('message', (worker, message: unknown) => {
    if (isMessage(message, MESSAGE.ready)) ready.add(worker);
    else if (isMessage(message, MESSAGE.request)) gather(worker, message.id);
    else if (isMessage(message, MESSAGE.part)) {
      const pending = gathering.get(message.id);
      if (!pending || !pending.waiting.delete(worker)) return;
      pending.parts.push(message.metrics);
      if (pending.waiting.size === 0) pending.finish();
    }
  });
  cluster.on('exit', (worker) => {
    ready.delete(worker);
    for (const pending of gathering.values()) {
      if (pending.waiting.delete(worker) && pending.waiting.size === 0) pending.finish();
    }
  });
}

/** In an HTTP process of the cluster: lets the primary read `registry`, from now on. */
export function shareWithClusterPrimary(registry: Registry): void {
  process.on('message', (message: unknown) => {
    if (!isMessage(message, MESSAGE.gather)) return;
    registry.getMetricsAsJSON().then(
      (metrics) => process.send?.({ type: MESSAGE.part, id: message.id, metrics } satisfies Message),
      // An unreadable registry leaves this process out of the scrape; the primary stops waiting for it.
      () => process.send?.({ type: MESSAGE.part, id: message.id, metrics: [] } satisfies Message),
    );
  });
  process.send?.({ type: MESSAGE.ready } satisfies Message);
}

/** This process's scrapes waiting for the primary, by request id: one message listener serves them all. */
const waitingScrapes = new Map<string, (answer: { text?: string; error?: string }) => void>();

function onPrimaryAnswer(message: unknown): void {
  if (isMessage(message, MESSAGE.response)) waitingScrapes.get(message.id)?.(message);
}

/** In an HTTP process of the cluster: the whole service's metrics text, through the primary. */
export function clusterMetricsText(timeoutMs: number): Promise<string> {
  const id = randomUUID();
  if (waitingScrapes.size === 0) process.on('message', onPrimaryAnswer);
  return new Promise<string>((resolve, reject) => {
    const settle = (answer: { text?: string; error?: string }): void => {
      clearTimeout(timer);
      waitingScrapes.delete(id);
      if (waitingScrapes.size === 0) process.off('message', onPrimaryAnswer);
      if (answer.text !== undefined) resolve(answer.text);
      else reject(new Error(answer.error ?? 'no metrics'));
    };
    const timer = setTimeout(() => settle({ error: 'the cluster primary did not answer in time' }), timeoutMs);
    waitingScrapes.set(id, settle);
    process.send?.({ type: MESSAGE.request, id } satisfies Message);
  });
}
