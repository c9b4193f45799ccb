/** Service vs ceiling vs seed design on unique texts, interleaved; open-loop probes during every service round. */
import { HEAVY_WORKERS, type BenchContext, type BenchService, type Scenario } from '../context';
import { closedLoop, failedRequests } from '../load/autocannon';
import { HttpClient, withClient } from '../load/http-client';
import { counterDelta, modelCounters, waitUntilIdle } from '../load/ml-status';
import { startProbe, type ProbeResult } from '../load/probe';
import { fmt, range, table } from '../markdown';
import { UsageMeter, type UsageWindow } from '../proc-stats';
import { pairedBy, pairedRatios, spread, sum, summariseLatencies, type Spread } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';
import { measureCeiling, startCeilingPool } from './ceiling';

const PROBE_CONNECTIONS = 8;
const CEILING_TEXTS = 400;

/** A round's results, and its raw probe samples apart (pooled over rounds, not written to the JSON). */
export type ProbedRound = Awaited<ReturnType<typeof serviceRound>>;
type ServiceRound = ProbedRound['round'];
type ArmSummary = ReturnType<typeof summarise>;
export const rate = (p: ProbedRound): number => p.round.load.requestsPerSecond;
export const p95 = (p: ProbedRound): number => p.round.load.latencyMs.p95;

/** Share of the window the inference workers spent inferring: Σ inference ms ÷ (window × workers). */
const busyPercent = (round: ServiceRound, workers: number): number =>
  ((round.model.inferences * round.model.meanInferenceMs) / (round.load.durationMs * workers)) * 100;

/** Probe latencies pooled over all rounds, and each round's p99. */
function pooled(rounds: [ProbeResult, number[]][]) {
  return {
    ...summariseLatencies(rounds.flatMap(([, samples]) => samples)),
    roundP99: spread(rounds.map(([probe]) => probe.latencyMs.p99)),
    errors: sum(rounds, ([probe]) => probe.errors),
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
    failures: failedRequests(rounds.map((r) => r.load)),
    /** Mean inference time inside the runner (worker or main thread), vs the ceiling's batch p50. */
    meanInferenceMs: of((r) => r.model.meanInferenceMs),
    // Below ~90 % at saturation the workers waited for the event loop. Null for the seed design: its "inference
    // ms" includes waiting behind other inferences on its one thread.
    workerBusyPercent: workers === null ? null : of((r) => busyPercent(r, workers)),
    rounds,
    cachedProbe: pooled(probed.map((p) => [p.round.cachedProbe, p.samples.cached])),
    liveProbe: pooled(probed.map((p) => [p.round.liveProbe, p.samples.live])),
  };
}

/** One closed-loop round of unique texts; meters, probes and counters cover exactly its measured window. */
export async function serviceRound(
  ctx: BenchContext,
  service: BenchService,
  workers: number | null,
  cachedText: string,
  round: number,
) {
  const { connections, warmupMs, durationMs, probeRatePerSecond: rate } = ctx.plan.service;
  const cachedClient = new HttpClient(service.baseUrl, PROBE_CONNECTIONS);
  const liveClient = new HttpClient(service.baseUrl, PROBE_CONNECTIONS);
  const open = async () => {
    const meter = new UsageMeter(service.pid);
    const probes = [
      startProbe(cachedClient, rate, (c) => c.post('/api/ml/classify', { text: cachedText })),
      startProbe(liveClient, rate, (c) => c.get('/api/health/live')),
    ];
    return { before: await modelCounters(liveClient), meter, probes };
  };
  const close = async ({ before, meter, probes }: Awaited<ReturnType<typeof open>>) => {
    const usage = meter.stop();
    const model = counterDelta(before, await modelCounters(liveClient));
    return { model, usage, probes: await Promise.all(probes.map((stop) => stop())) };
  };
  let opened: ReturnType<typeof open> | undefined;
  let closed: ReturnType<typeof close> | undefined;
  try {
    const load = await closedLoop({
      baseUrl: service.baseUrl,
      path: '/api/ml/classify',
      connections,
      warmupMs,
      durationMs,
      body: () => ({ text: ctx.corpus.nextUnique().text }),
      onWindowStart: () => void (opened = open()),
      // The closing read waits for the opening one: a backed-up event loop must not answer both at once.
      onWindowEnd: () => void (closed = opened?.then(close)),
    });
    if (!closed) throw new Error('the measured window never opened');
    const { model, usage, probes } = await closed;
    const [cached, live] = probes;
    // Work the service still did after the load generator left (requests of clients that had gone).
    const drain = await waitUntilIdle(liveClient);
    const batch = model.inferences ? model.texts / model.inferences : 0;
    const probed = {
      round: { load, model, usage, drain, cachedProbe: cached.result, liveProbe: live.result },
      samples: { cached: cached.samples, live: live.samples },
    };
    const busy = workers ? `, workers busy ${fmt(busyPercent(probed.round, workers), 0)} %` : '';
    ctx.log(
      `    round ${round} ${service.name}: ${fmt(load.requestsPerSecond, 1)} req/s, p95 ${fmt(load.latencyMs.p95, 1)} ms, ` +
        `inference ${fmt(model.meanInferenceMs, 1)} ms, texts per run ${fmt(batch, 2)}${busy}, CPU ${fmt(usage.cpuPercent, 0)} % ` +
        `(machine ${fmt(usage.machineCpuPercent, 0)} %), RSS ${fmt(usage.rssMbMax, 0)} MiB; probes p99 cached ` +
        `${fmt(cached.result.latencyMs.p99, 1)} ms, live ${fmt(live.result.latencyMs.p99, 1)} ms; ` +
        `after the load left: ${drain.inferences} inferences in ${fmt(drain.ms, 0)} ms`,
    );
    return probed;
  } finally {
    cachedClient.close();
    liveClient.close();
  }
}

/** A fresh text, classified once on each of `services` so later requests for it are cache hits (checked). */
export async function primedText(ctx: BenchContext, ...services: BenchService[]): Promise<string> {
  const text = ctx.corpus.nextUnique().text;
  for (const service of services)
    await withClient(service.baseUrl, 1, async (client) => {
      await client.post('/api/ml/classify', { text });
      // The answer can arrive before its cache write lands (a request in between joins the flight instead).
      for (let attempt = 0; attempt < 20; attempt++) {
        const again = await client.post<{ cached?: boolean }>('/api/ml/classify', { text });
        if (again.body.cached === true) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`service ${service.name}: a repeated text was not served from cache`);
    });
  return text;
}

async function measure(ctx: BenchContext) {
  const services = { service: await ctx.service('heavy'), seed: await ctx.service('seed') };
  // Without the ceiling scenario in this run: one single-threaded session per core, batch 1.
  const config = ctx.ceilingBest ?? { workers: 2, batch: 1, grouped: false };
  const pool = await startCeilingPool('int8', config.workers);
  const ceilingTexts = Array.from({ length: CEILING_TEXTS }, () => ctx.corpus.nextUnique().text);
  const cachedText = await primedText(ctx, services.service, services.seed);
  const ceilingRuns: { textsPerSecond: number; batchP50Ms: number; usage: UsageWindow }[] = [];
  const rounds = { service: [] as ProbedRound[], seed: [] as ProbedRound[] };
  const { order } = await ctx
    .interleave(['ceiling', 'service', 'seed'] as const, async (arm, round) => {
      if (arm !== 'ceiling') {
        const workers = arm === 'service' ? HEAVY_WORKERS : null;
        return void rounds[arm].push(await serviceRound(ctx, services[arm], workers, cachedText, round));
      }
      const meter = new UsageMeter(process.pid);
      const { textsPerSecond, batchP50Ms } = await measureCeiling(pool, config, ceilingTexts, ctx.plan.service);
      const usage = meter.stop();
      ceilingRuns.push({ textsPerSecond, batchP50Ms, usage });
      ctx.log(
        `    round ${round} ceiling: ${fmt(textsPerSecond, 1)} texts/s, batch p50 ${fmt(batchP50Ms, 1)} ms, ` +
          `machine CPU ${fmt(usage.machineCpuPercent, 0)} %`,
      );
    })
    .finally(() => pool.runner.dispose());
  const ceilingRates = ceilingRuns.map((run) => run.textsPerSecond);
  return {
    ...ctx.plan.service,
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
      serviceToCeiling: pairedRatios(rounds.service.map(rate), ceilingRates),
      throughputServiceToSeed: pairedBy(rounds.service, rounds.seed, rate),
      p95ServiceToSeed: pairedBy(rounds.service, rounds.seed, p95),
    },
  };
}

function section(r: Awaited<ReturnType<typeof measure>>): string[] {
  const arms = ['service', 'seed'] as const;
  const named = (arm: 'service' | 'seed'): string => (arm === 'service' ? 'service' : 'seed design');
  // The ceiling has no HTTP, no RSS of its own and no failures: those cells stay empty.
  const cell =
    (ceiling: string, arm: (s: ArmSummary) => string) =>
    (row: 'ceiling' | 'service' | 'seed'): string =>
      row === 'ceiling' ? ceiling : arm(r[row]);
  const probes = arms.flatMap((arm) => [
    { arm, route: 'cached classify', ...r[arm].cachedProbe },
    { arm, route: '/api/health/live', ...r[arm].liveProbe },
  ]);
  const drained = ({ drain }: ServiceRound): string => `${drain.inferences} inferences in ${fmt(drain.ms, 0)} ms`;
  const drains = arms.map((arm) => `${arm} ${r[arm].rounds.map(drained).join(', ')}`);
  const busy = r.service.workerBusyPercent;
  return [
    `## Service vs ceiling vs seed design — unique texts, ${r.connections} connections`,
    '',
    `Interleaved order: ${r.order.map((a) => a.join('→')).join(' | ')}; ${fmt(r.durationMs / 1000)} s per arm after ${fmt(r.warmupMs / 1000)} s warm-up in the same run. Median (min–max) over rounds.`,
    '',
    ...table(['ceiling', ...arms] as const, [
      ['arm', (row) => (row === 'ceiling' ? 'ceiling int8' : named(row))],
      ['req/s', cell(range(r.ceilingTextsPerSecond), (s) => range(s.throughput))],
      ['p50 ms', cell('', (s) => range(s.p50))],
      ['p95 ms', cell('', (s) => range(s.p95))],
      ['p99 ms', cell('', (s) => range(s.p99))],
      ['inference ms', cell(`${range(r.ceilingBatchP50Ms)} (batch p50)`, (s) => `${range(s.meanInferenceMs)} (mean)`)],
      ['CPU % (of 1 core)', cell(range(r.ceilingCpuPercent, 0), (s) => range(s.cpuPercent, 0))],
      ['machine CPU %', cell(range(r.ceilingMachineCpuPercent, 0), (s) => range(s.machineCpuPercent, 0))],
      ['RSS max MiB', cell('', (s) => range(s.rssMbMax, 0))],
      ['failed', cell('', (s) => String(s.failures))],
    ]),
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
      ['while', (p) => named(p.arm)],
      ['route', (p) => p.route],
      ['samples', (p) => String(p.count)],
      ['p50 ms', (p) => fmt(p.p50)],
      ['p95 ms', (p) => fmt(p.p95)],
      ['p99 ms', (p) => fmt(p.p99)],
      ['max ms', (p) => fmt(p.max)],
      ['per-round p99', (p) => range(p.roundP99)],
      ['errors', (p) => String(p.errors)],
    ]),
  ];
}

export const serviceVsCeiling: Scenario = async (ctx) => {
  const result = await measure(ctx);
  const { ratios, service, ceilingConfig: c } = result;
  const paired = 'median of paired rounds';
  const pooledNote = (p: ArmSummary['cachedProbe']): string => `${p.count} samples pooled over the rounds`;
  const setting = `workers ${c.workers} × batch ${c.batch}${c.grouped ? ' grouped' : ''} (${c.chosenBy})`;
  const rounds = `median of ${ratios.serviceToCeiling.values.length} paired rounds`;
  return {
    result,
    section: section(result),
    targets: [
      evaluateTarget(TARGETS.serviceShareOfCeiling, ratios.serviceToCeiling.median, `${rounds}, ceiling at ${setting}`),
      evaluateTarget(TARGETS.throughputVsSeed, ratios.throughputServiceToSeed.median, paired),
      evaluateTarget(TARGETS.p95VsSeed, ratios.p95ServiceToSeed.median, paired),
      evaluateTarget(TARGETS.cachedP99UnderLoad, service.cachedProbe.p99, pooledNote(service.cachedProbe)),
      evaluateTarget(TARGETS.liveP99UnderLoad, service.liveProbe.p99, pooledNote(service.liveProbe)),
    ],
  };
};
