import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * The whole service's metrics when `API_PROCESSES` > 1. Each HTTP process counts in its own registry; a scrape lands
 * on whichever process the cluster hands the connection to, so the process asks the primary, which gathers every
 * process's registry over the cluster's IPC channel (prom-client's aggregator: counters and histograms summed,
 * gauges as each declares) and answers the text. A Prometheus scraping the shared port then sees one service whose
 * counters only grow, not two interleaved processes whose counters jump back and forth.
 */
const REQUEST = 'combot:cluster-metrics-request';
const RESPONSE = 'combot:cluster-metrics-response';

interface MetricsRequest {
  type: typeof REQUEST;
  id: string;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: string;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T['type']): message is T =>
  typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;

/** In the primary: answers each process's request with every process's metrics, aggregated. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (answer: Omit<MetricsResponse, 'type' | 'id'>): void => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...answer } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: unknown) => reply({ error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

/** In an HTTP process of the cluster: lets the primary read `registry` (prom-client answers its requests itself). */
export function shareWithClusterPrimary(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's answering listener in this process.
  new AggregatorRegistry();
}

/** In an HTTP process of the cluster: the whole service's metrics text, through the primary. */
export function clusterMetricsText(timeoutMs: number): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('the cluster primary did not answer in time')), timeoutMs);
    const onMessage = (message: unknown): void => {
      if (!isMessage<MetricsResponse>(message, RESPONSE) || message.id !== id) return;
      finish(message.text === undefined ? new Error(message.error ?? 'no metrics') : null, message.text);
    };
    function finish(error: Error | null, text?: string): void {
      clearTimeout(timer);
      process.off('message', onMessage);
      if (error) reject(error);
      else resolve(text ?? '');
    }
    process.on('message', onMessage);
    process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
  });
}
