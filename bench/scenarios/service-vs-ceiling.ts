/**
 * Service vs ceiling vs seed design: the service on unique texts at 50 connections, the same build in the
 * seed's serving design, and the ceiling (the runtime's worker pool with no HTTP, at the ceiling scenario's
 * best setting), interleaved round by round. During every service round open-loop probes measure the tail
 * latency of a cached classify and of /api/health/live on connections of their own.
 */
import { HEAVY_WORKERS, type BenchContext, type BenchService, type Scenario } from '../context';
import { closedLoop } from '../load/autocannon';
import { HttpClient } from '../load/http-client';
import { counterDelta, modelCounters, waitUntilIdle, type CounterDelta, type ModelCounters } from '../load/ml-status';
import { startProbe, type ProbeResult, type StopProbe } from '../load/probe';
import { fmt, range, table } from '../markdown';
import { UsageMeter, type UsageWindow } from '../proc-stats';
import { interleavedOrder, pairedRatios, spread, summariseLatencies, type Spread } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';
import { measureCeiling, startCeilingPool } from './ceiling';

const PROBE_CONNECTIONS = 8;
const CEILING_TEXTS = 400;

export type ServiceRound = Awaited<ReturnType<typeof serviceRound>>['round'];
/** A round's results, and its raw probe samples apart (pooled over rounds, not written to the JSON). */
export type ProbedRound = Awaited<ReturnType<typeof serviceRound>>;
export type ArmSummary = ReturnType<typeof summarise>;

/** Share of the window the inference workers spent inferring: Σ inference ms ÷ (window × workers). */
export function busyPercent(round: ServiceRound, workers: number): number {
  return ((round.model.inferences * round.model.meanInferenceMs) / (round.load.durationMs * workers)) * 100;
}

/** Probe latencies pooled over all rounds, and each round's p99. */
function pooled(rounds: [ProbeResult, number[]][]) {
  return {
    ...summariseLatencies(rounds.flatMap(([, samples]) => samples)),
    roundP99: spread(rounds.map(([probe]) => probe.latencyMs.p99)),
    errors: rounds.reduce((sum, [probe]) => sum + probe.errors, 0),
  };
}

export function summarise(probed: ProbedRound[], workers: number | null) {
  const rounds = probed.map((p) => p.round);
  const of = (value: (r: ServiceRound) => number): Spread => spread(rounds.map(value));
  return {
    throughput: of((r) => r.load.requestsPerSecond),
    p50: of((r) => r.load.latencyMs.p50),
    p95: of((r) => r.load.latencyMs.p95),
    p99: of((r) => r.load.latencyMs.p99),
    cpuPercent: of((r) => r.usage.cpuPercent),
    machineCpuPercent: of((r) => r.usage.machineCpuPercent),
    rssMbMax: of((r) => r.usage.rssMbMax),
    failures: rounds.reduce((sum, r) => sum + r.load.non2xx + r.load.errors + r.load.timeouts, 0),
    /** Mean inference time inside the runner (worker or main thread), vs the ceiling's batch p50. */
    meanInferenceMs: of((r) => r.model.meanInferenceMs),
    /**
     * Below ~90 % at saturation the workers sat idle waiting for the event loop to hand them work. Null for the
     * seed design, whose "inference ms" includes waiting behind other inferences on its one thread.
     */
    workerBusyPercent: workers === null ? null : of((r) => busyPercent(r, workers)),
    rounds,
    cachedProbe: pooled(probed.map((p) => [p.round.cachedProbe, p.samples.cached])),
    liveProbe: pooled(probed.map((p) => [p.round.liveProbe, p.samples.live])),
  };
}

/** One closed-loop round of unique texts; meters, probes and counters cover exactly its measured window. */
export async function serviceRound(ctx: BenchContext, service: BenchService, cachedText: string) {
  const { connections, warmupMs, durationMs, probeRatePerSecond: rate } = ctx.plan.service;
  const cachedClient = new HttpClient(service.baseUrl, PROBE_CONNECTIONS);
  const liveClient = new HttpClient(service.baseUrl, PROBE_CONNECTIONS);
  type Opened = { before: ModelCounters; meter: UsageMeter; probes: StopProbe[] };
  type Closed = { model: CounterDelta; usage: UsageWindow; probes: Awaited<ReturnType<StopProbe>>[] };
  const window: { opened?: Promise<Opened>; closed?: Promise<Closed> } = {};
  try {
    const load = await closedLoop({
      baseUrl: service.baseUrl,
      path: '/api/ml/classify',
      connections,
      warmupMs,
      durationMs,
      body: () => ({ text: ctx.corpus.nextUnique().text }),
      onWindowStart: () => {
        const meter = new UsageMeter(service.pid);
        const probes = [
          startProbe(cachedClient, rate, (c) => c.post('/api/ml/classify', { text: cachedText })),
          startProbe(liveClient, rate, (c) => c.get('/api/health/live')),
        ];
        window.opened = modelCounters(liveClient).then((before) => ({ before, meter, probes }));
      },
      // The closing read waits for the opening one: a backed-up event loop must not answer both at once.
      onWindowEnd: () => {
        window.closed = window.opened?.then(async ({ before, meter, probes }) => {
          const usage = meter.stop();
          const model = counterDelta(before, await modelCounters(liveClient));
          return { model, usage, probes: await Promise.all(probes.map((stop) => stop())) };
        });
      },
    });
    if (!window.closed) throw new Error('the measured window never opened');
    const { model, usage, probes } = await window.closed;
    const [cached, live] = probes;
    // Work the service still did after the load generator left (requests of clients that had gone).
    const drain = await waitUntilIdle(liveClient);
    return {
      round: { load, model, usage, drain, cachedProbe: cached.result, liveProbe: live.result },
      samples: { cached: cached.samples, live: live.samples },
    };
  } finally {
    cachedClient.close();
    liveClient.close();
  }
}

/** Classifies `text` once so later requests for it are cache hits; checks that they are. */
export async function primeCache(service: BenchService, text: string): Promise<void> {
  const client = new HttpClient(service.baseUrl, 1);
  try {
    await client.post('/api/ml/classify', { text });
    // The answer can arrive before its cache write lands (a request in between joins the flight instead).
    for (let attempt = 0; attempt < 20; attempt++) {
      const again = await client.post<{ cached?: boolean }>('/api/ml/classify', { text });
      if (again.body.cached === true) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`service ${service.name}: a repeated text was not served from cache`);
  } finally {
    client.close();
  }
}

async function measure(ctx: BenchContext) {
  const { plan } = ctx;
  const services = { service: await ctx.service('heavy'), seed: await ctx.service('seed') };
  // Without the ceiling scenario in this run: one single-threaded session per core, batch 1.
  const config = ctx.ceilingBest ?? { workers: 2, batch: 1, grouped: false };
  const pool = await startCeilingPool('int8', config.workers);
  const ceilingTexts = Array.from({ length: CEILING_TEXTS }, () => ctx.corpus.nextUnique().text);
  const cachedText = ctx.corpus.nextUnique().text;
  await primeCache(services.service, cachedText);
  await primeCache(services.seed, cachedText);

  const order = interleavedOrder(['ceiling', 'service', 'seed'] as const, plan.rounds);
  const ceilingRuns: { textsPerSecond: number; batchP50Ms: number; usage: UsageWindow }[] = [];
  const rounds: Record<'service' | 'seed', ProbedRound[]> = { service: [], seed: [] };
  try {
    for (const [index, arms] of order.entries()) {
      for (const arm of arms) {
        if (arm === 'ceiling') {
          const meter = new UsageMeter(process.pid);
          const { textsPerSecond, batchP50Ms } = await measureCeiling(pool, config, ceilingTexts, plan.service);
          const usage = meter.stop();
          ceilingRuns.push({ textsPerSecond, batchP50Ms, usage });
          ctx.log(
            `    round ${index + 1} ceiling: ${fmt(textsPerSecond, 1)} texts/s, batch p50 ${fmt(batchP50Ms, 1)} ms, ` +
              `machine CPU ${fmt(usage.machineCpuPercent, 0)} %`,
          );
          continue;
        }
        const probed = await serviceRound(ctx, services[arm], cachedText);
        rounds[arm].push(probed);
        const { load, model, usage, cachedProbe, liveProbe, drain } = probed.round;
        const busy = arm === 'service' ? `, workers busy ${fmt(busyPercent(probed.round, HEAVY_WORKERS), 0)} %` : '';
        ctx.log(
          `    round ${index + 1} ${arm}: ${fmt(load.requestsPerSecond, 1)} req/s, p95 ${fmt(load.latencyMs.p95, 1)} ms, ` +
            `inference ${fmt(model.meanInferenceMs, 1)} ms${busy}, CPU ${fmt(usage.cpuPercent, 0)} % ` +
            `(machine ${fmt(usage.machineCpuPercent, 0)} %), RSS ${fmt(usage.rssMbMax, 0)} MiB; probes p99 cached ` +
            `${fmt(cachedProbe.latencyMs.p99, 1)} ms, live ${fmt(liveProbe.latencyMs.p99, 1)} ms; ` +
            `after the load left: ${drain.inferences} inferences in ${fmt(drain.ms, 0)} ms`,
        );
      }
    }
  } finally {
    await pool.runner.dispose();
  }

  const rate = (arm: 'service' | 'seed'): number[] => rounds[arm].map((p) => p.round.load.requestsPerSecond);
  const p95 = (arm: 'service' | 'seed'): number[] => rounds[arm].map((p) => p.round.load.latencyMs.p95);
  const ceilingRates = ceilingRuns.map((run) => run.textsPerSecond);
  return {
    ...plan.service,
    order,
    ceilingConfig: { ...config, chosenBy: ctx.ceilingBest ? 'sweep' : 'default' },
    ceilingTextsPerSecond: spread(ceilingRates),
    ceilingBatchP50Ms: spread(ceilingRuns.map((run) => run.batchP50Ms)),
    /** CPU of this process (the ceiling's worker threads) and of the whole machine during the ceiling arm. */
    ceilingCpuPercent: spread(ceilingRuns.map((run) => run.usage.cpuPercent)),
    ceilingMachineCpuPercent: spread(ceilingRuns.map((run) => run.usage.machineCpuPercent)),
    service: summarise(rounds.service, HEAVY_WORKERS),
    seed: summarise(rounds.seed, null),
    ratios: {
      serviceToCeiling: pairedRatios(rate('service'), ceilingRates),
      throughputServiceToSeed: pairedRatios(rate('service'), rate('seed')),
      p95ServiceToSeed: pairedRatios(p95('service'), p95('seed')),
    },
  };
}

type ServiceVsCeilingResult = Awaited<ReturnType<typeof measure>>;

function section(r: ServiceVsCeilingResult): string[] {
  const ceiling = {
    arm: 'ceiling int8',
    rate: r.ceilingTextsPerSecond,
    latency: ['', '', ''], // no HTTP, no RSS of its own, no failures: those cells stay empty
    inference: `${range(r.ceilingBatchP50Ms)} (batch p50)`,
    cpu: r.ceilingCpuPercent,
    machine: r.ceilingMachineCpuPercent,
    rss: '',
    failed: '',
  };
  const arms = (['service', 'seed'] as const).map((arm) => ({
    arm: arm === 'service' ? 'service' : 'seed design',
    rate: r[arm].throughput,
    latency: [r[arm].p50, r[arm].p95, r[arm].p99].map((s) => range(s)),
    inference: `${range(r[arm].meanInferenceMs)} (mean)`,
    cpu: r[arm].cpuPercent,
    machine: r[arm].machineCpuPercent,
    rss: range(r[arm].rssMbMax, 0),
    failed: String(r[arm].failures),
  }));
  const probes = (['service', 'seed'] as const).flatMap((arm) => [
    { arm, route: 'cached classify', ...r[arm].cachedProbe },
    { arm, route: '/api/health/live', ...r[arm].liveProbe },
  ]);
  const drains = (['service', 'seed'] as const).map(
    (arm) =>
      `${arm} ${r[arm].rounds.map((x) => `${x.drain.inferences} inferences in ${fmt(x.drain.ms, 0)} ms`).join(', ')}`,
  );
  const busy = r.service.workerBusyPercent;
  return [
    `## Service vs ceiling vs seed design — unique texts, ${r.connections} connections`,
    '',
    `Interleaved order: ${r.order.map((a) => a.join('→')).join(' | ')}; ${fmt(r.durationMs / 1000)} s per arm after ${fmt(r.warmupMs / 1000)} s warm-up in the same run. Median (min–max) over rounds.`,
    '',
    ...table(
      [ceiling, ...arms],
      [
        ['arm', (x) => x.arm],
        ['req/s', (x) => range(x.rate)],
        ['p50 ms', (x) => x.latency[0]],
        ['p95 ms', (x) => x.latency[1]],
        ['p99 ms', (x) => x.latency[2]],
        ['inference ms', (x) => x.inference],
        ['CPU % (of 1 core)', (x) => range(x.cpu, 0)],
        ['machine CPU %', (x) => range(x.machine, 0)],
        ['RSS max MiB', (x) => x.rss],
        ['failed', (x) => x.failed],
      ],
    ),
    '',
    `Ratios (paired by round): service ÷ ceiling ${range(r.ratios.serviceToCeiling, 2)}; throughput service ÷ seed ${range(r.ratios.throughputServiceToSeed, 2)}; p95 service ÷ seed ${range(r.ratios.p95ServiceToSeed, 2)}.`,
    `After each service arm the load generator closed its connections, yet the service went on working: ${drains.join('; ')} (requests of clients that had gone; the suite waits for this before the next arm).`,
    busy
      ? `Service inference workers were busy ${range(busy, 0)} % of the window (Σ inference time ÷ window × workers; the rest they waited for the event loop to hand them the next text), and one inference took ${fmt(r.service.meanInferenceMs.median)} ms on average in a service worker vs ${fmt((r.ceilingConfig.workers * 1000) / r.ceilingTextsPerSecond.median)} ms per text in the ceiling (workers ÷ texts/s; its batch p50 is ${fmt(r.ceilingBatchP50Ms.median)} ms): in the service the workers share the cores with the event loop, Redis and the load generator, and the event loop runs first (ML_WORKER_NICE). The seed's "inference ms" is wall time on its one thread, including waiting behind the other inferences.`
      : '',
    `In a closed loop at ${r.connections} connections p95 ≈ ${r.connections} ÷ throughput (Little's law), so the p95 ratio mostly restates the throughput ratio; the probes below are the latency that matters to a participant.`,
    '',
    `### Tail latency under saturation (open-loop probes at ${r.probeRatePerSecond}/s each, own connections)`,
    '',
    ...table(probes, [
      ['while', (p) => (p.arm === 'service' ? 'service' : 'seed design')],
      ['route', (p) => p.route],
      ['samples', (p) => String(p.count)],
      ['p50 ms', (p) => fmt(p.p50)],
      ['p95 ms', (p) => fmt(p.p95)],
      ['p99 ms', (p) => fmt(p.p99)],
      ['max ms', (p) => fmt(p.max)],
      ['per-round p99', (p) => range(p.roundP99)],
      ['errors', (p) => String(p.errors)],
    ]),
    '',
  ];
}

export const serviceVsCeiling: Scenario = async (ctx) => {
  const result = await measure(ctx);
  const { ratios, service, ceilingConfig: c } = result;
  const paired = 'median of paired rounds';
  const pooledNote = (p: ArmSummary['cachedProbe']): string => `${p.count} samples pooled over the rounds`;
  return {
    result,
    section: section(result),
    targets: [
      evaluateTarget(
        TARGETS.serviceShareOfCeiling,
        ratios.serviceToCeiling.median,
        `median of ${ratios.serviceToCeiling.values.length} paired rounds, ceiling at workers ${c.workers} × batch ${c.batch}${c.grouped ? ' grouped' : ''} (${c.chosenBy})`,
      ),
      evaluateTarget(TARGETS.throughputVsSeed, ratios.throughputServiceToSeed.median, paired),
      evaluateTarget(TARGETS.p95VsSeed, ratios.p95ServiceToSeed.median, paired),
      evaluateTarget(TARGETS.cachedP99UnderLoad, service.cachedProbe.p99, pooledNote(service.cachedProbe)),
      evaluateTarget(TARGETS.liveP99UnderLoad, service.liveProbe.p99, pooledNote(service.liveProbe)),
    ],
  };
};
