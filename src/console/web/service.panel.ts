import type { QueueRow, ServicePanel } from '../console.types';
import { getJson } from './api.client';
import { byId, h, table } from './dom';
import { count, percent } from './format';
import { markUpdated, type Panel } from './panel';

/** The figures the service keeps about itself, read together. */
export class ServicePanelView implements Panel {
  readonly title = 'Service';
  private readonly body = byId('service-body', HTMLDivElement);
  readonly updated = byId('service-updated', HTMLParagraphElement);

  async refresh(): Promise<void> {
    const panel = await getJson<ServicePanel>('/api/admin/study/service');
    const facts: [string, string, string][] = [
      ['readiness', 'Health', panel.readiness],
      ['rps', 'Requests per second', panel.requestsPerSecond.toFixed(1)],
      ['p95', 'Latency p50 / p95', `${panel.latencyP50Ms.toFixed(1)} / ${panel.latencyP95Ms.toFixed(1)} ms`],
      ['failures', 'Answered 5xx', percent(panel.failureRate)],
      [
        'semaphore',
        'Inference slots busy / waiting',
        `${panel.semaphoreActive} of ${panel.semaphoreLimit} / ${panel.semaphoreWaiting}`,
      ],
      ['cache', `Result cache hits (${panel.cacheBackend})`, percent(panel.cacheHitRate)],
      ['models', 'Models loaded', panel.modelsLoaded.join(', ') || 'none'],
      ['workers', 'Inference workers', String(panel.inferenceWorkers)],
      [
        'uptime',
        'Up for',
        `${Math.floor(panel.uptimeSeconds / 3600)} h ${Math.floor((panel.uptimeSeconds % 3600) / 60)} min`,
      ],
    ];
    if (panel.modelsLoading.length) facts.push(['loading', 'Loading', panel.modelsLoading.join(', ')]);
    if (panel.modelLastError) facts.push(['modelError', 'Last model error', panel.modelLastError]);
    const list = h(
      'dl',
      { class: 'facts' },
      ...facts.flatMap(([key, term, value]) => [
        h('dt', {}, term),
        h('dd', { data: { fact: key }, class: key === 'readiness' ? `health-${value}` : undefined }, value),
      ]),
    );
    const unhealthy = panel.healthParts.filter((part) => part.status !== 'up');
    const parts = h(
      'p',
      { class: unhealthy.length ? 'summary warn' : 'summary' },
      unhealthy.length
        ? `Down: ${unhealthy.map((part) => part.name).join(', ')}.`
        : `All ${panel.healthParts.length} health checks up.`,
    );
    const queues = panel.queues
      ? table<QueueRow>(
          `Queues (${panel.queueBackend})`,
          [
            { label: 'Queue', key: 'name', value: (queue) => queue.name },
            { label: 'Waiting', key: 'waiting', value: (queue) => count(queue.waiting), numeric: true },
            { label: 'Active', key: 'active', value: (queue) => count(queue.active), numeric: true },
            { label: 'Delayed', key: 'delayed', value: (queue) => count(queue.delayed), numeric: true },
            { label: 'Failed', key: 'failed', value: (queue) => count(queue.failed), numeric: true },
            { label: 'Workers', key: 'workers', value: (queue) => count(queue.workers), numeric: true },
          ],
          panel.queues,
          (queue) => ({ data: { queue: queue.name } }),
        )
      : h('p', { class: 'summary warn' }, 'The queues did not answer in time.');
    this.body.replaceChildren(list, parts, queues);
    markUpdated(this.updated, panel.generatedAt);
  }
}
