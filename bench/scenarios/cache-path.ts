/**
 * (6) Cache path: one identical text at high concurrency (every request a result-cache hit after the first)
 * against /api/health/live, the app's trivial constant route, interleaved. The ratio says what a cache hit costs
 * on top of the HTTP stack itself: validation, normalisation, hashing and a Redis GET.
 */
import type { BenchContext } from '../context';
import { HttpClient } from '../load/http-client';
import { constantLoad } from '../load/wrk';
import type { ClosedLoopResult } from '../load/closed-loop';
import { UsageMeter, type UsageWindow } from '../proc-stats';
import { interleavedOrder, pairedRatios, round, spread, type Spread } from '../stats';

type Arm = 'cached' | 'live';

export interface CacheArm {
  throughput: Spread;
  p50: Spread;
  p99: Spread;
  cpuPercent: Spread;
  failures: number;
  rounds: (ClosedLoopResult & { usage: UsageWindow })[];
}

export interface CachePathResult {
  generator: 'wrk' | 'autocannon';
  connections: number;
  durationMs: number;
  order: Arm[][];
  cached: CacheArm;
  live: CacheArm;
  ratios: { throughputCachedToLive: Spread; p99CachedToLive: Spread };
}

function summarise(rounds: (ClosedLoopResult & { usage: UsageWindow })[]): CacheArm {
  return {
    throughput: spread(rounds.map((r) => r.requestsPerSecond)),
    p50: spread(rounds.map((r) => r.latencyMs.p50)),
    p99: spread(rounds.map((r) => r.latencyMs.p99)),
    cpuPercent: spread(rounds.map((r) => r.usage.cpuPercent)),
    failures: rounds.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    rounds,
  };
}

export async function runCachePath(ctx: BenchContext): Promise<CachePathResult> {
  const service = await ctx.service('heavy');
  const { connections, warmupMs, durationMs } = ctx.plan.cache;
  const text = ctx.corpus.nextUnique().text;
  const primer = new HttpClient(service.baseUrl, 1);
  try {
    await primer.post('/api/ml/classify', { text });
  } finally {
    primer.close();
  }
  const request = (arm: Arm, ms: number) =>
    constantLoad(
      arm === 'cached'
        ? {
            baseUrl: service.baseUrl,
            path: '/api/ml/classify',
            connections,
            durationMs: ms,
            method: 'POST',
            body: { text },
          }
        : { baseUrl: service.baseUrl, path: '/api/health/live', connections, durationMs: ms, method: 'GET' },
      ctx.useWrk,
    );

  // A run's last requests are still being answered after the generator exits; cheap routes finish in ms.
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 250));
  const order = interleavedOrder<Arm>(['cached', 'live'], ctx.plan.rounds);
  const rounds: Record<Arm, (ClosedLoopResult & { usage: UsageWindow })[]> = { cached: [], live: [] };
  let generator: 'wrk' | 'autocannon' = 'autocannon';
  for (const [index, arms] of order.entries()) {
    for (const arm of arms) {
      await request(arm, warmupMs);
      await settle();
      const meter = new UsageMeter(service.pid);
      const result = await request(arm, durationMs);
      await settle();
      generator = result.generator;
      rounds[arm].push({ ...result, usage: meter.stop() });
      ctx.log(
        `    round ${index + 1} ${arm}: ${round(result.requestsPerSecond, 0)} req/s, p50 ${round(result.latencyMs.p50, 1)} ms, ` +
          `p99 ${round(result.latencyMs.p99, 1)} ms (${result.generator})`,
      );
    }
  }
  return {
    generator,
    connections,
    durationMs,
    order,
    cached: summarise(rounds.cached),
    live: summarise(rounds.live),
    ratios: {
      throughputCachedToLive: pairedRatios(
        rounds.cached.map((r) => r.requestsPerSecond),
        rounds.live.map((r) => r.requestsPerSecond),
      ),
      p99CachedToLive: pairedRatios(
        rounds.cached.map((r) => r.latencyMs.p99),
        rounds.live.map((r) => r.latencyMs.p99),
      ),
    },
  };
}
