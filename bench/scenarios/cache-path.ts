/** Cache path: one cached text vs /api/health/live, interleaved: what a cache hit costs over the bare HTTP stack. */
import type { Scenario } from '../context';
import { closedLoop, failedRequests, type ClosedLoopResult } from '../load/autocannon';
import { fmt, range, table } from '../markdown';
import { UsageMeter, type UsageWindow } from '../proc-stats';
import { pairedBy, spread } from '../stats';
import { primedText } from './service-vs-ceiling';

type CacheRound = ClosedLoopResult & { usage: UsageWindow };

function summarise(rounds: CacheRound[]) {
  return {
    throughput: spread(rounds.map((r) => r.requestsPerSecond)),
    p50: spread(rounds.map((r) => r.latencyMs.p50)),
    p99: spread(rounds.map((r) => r.latencyMs.p99)),
    cpuPercent: spread(rounds.map((r) => r.usage.cpuPercent)),
    failures: failedRequests(rounds),
    rounds,
  };
}

export const cachePath: Scenario = async (ctx) => {
  const service = await ctx.service('heavy');
  const { connections, warmupMs, durationMs } = ctx.plan.cache;
  const text = await primedText(ctx, service);
  // Warm-up and window are separate runs here (unlike the service's): a cheap route's queue drains in ms.
  const routes = { cached: { path: '/api/ml/classify', body: () => ({ text }) }, live: { path: '/api/health/live' } };
  const load = (arm: 'cached' | 'live', durationMs: number): Promise<ClosedLoopResult> =>
    closedLoop({ baseUrl: service.baseUrl, connections, durationMs, ...routes[arm] });
  // A run's last requests are still being answered after the generator exits; cheap routes finish in ms.
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 250));
  const { order, rounds } = await ctx.interleave(['cached', 'live'] as const, async (arm, round) => {
    await load(arm, warmupMs);
    await settle();
    const meter = new UsageMeter(service.pid);
    const result = await load(arm, durationMs);
    await settle();
    ctx.log(
      `    round ${round} ${arm}: ${fmt(result.requestsPerSecond, 0)} req/s, p50 ${fmt(result.latencyMs.p50, 1)} ms, ` +
        `p99 ${fmt(result.latencyMs.p99, 1)} ms`,
    );
    return { ...result, usage: meter.stop() };
  });
  const r = {
    connections,
    durationMs,
    order,
    cached: summarise(rounds.cached),
    live: summarise(rounds.live),
    ratios: {
      throughputCachedToLive: pairedBy(rounds.cached, rounds.live, (x) => x.requestsPerSecond),
      p99CachedToLive: pairedBy(rounds.cached, rounds.live, (x) => x.latencyMs.p99),
    },
  };
  const section = [
    `## Cache path vs constant route — ${r.connections} connections`,
    '',
    ...table(['cached', 'live'] as const, [
      ['route', (arm) => (arm === 'cached' ? 'POST /api/ml/classify (one cached text)' : 'GET /api/health/live')],
      ['req/s', (arm) => range(r[arm].throughput, 0)],
      ['p50 ms', (arm) => range(r[arm].p50, 2)],
      ['p99 ms', (arm) => range(r[arm].p99, 2)],
      ['service CPU %', (arm) => range(r[arm].cpuPercent, 0)],
      ['failed', (arm) => String(r[arm].failures)],
    ]),
    `Cached ÷ live: throughput ${range(r.ratios.throughputCachedToLive, 2)}, p99 ${range(r.ratios.p99CachedToLive, 2)}.`,
    'Judged by throughput: at saturation Node serves many keep-alive connections unevenly (a bare node:http server doing 0.5 ms of work per request shows a p99 of ~1.4 s at 100 connections on two cores), so the p99 describes that queueing, not the route.',
    '',
  ];
  return { result: r, section, targets: [] };
};
