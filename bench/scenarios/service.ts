/**
 * (2) the service on unique texts at 50 connections, (3) the same build in the seed's configuration, and the
 * int8 ceiling of (1) at its best setting, interleaved round by round; (4) during every service round, an
 * open-loop prober measures a cached classify and /api/health/live on separate connections.
 */
import type { CeilingPool } from '../ceiling/ceiling-pool';
import { HEAVY_WORKERS, type BenchContext } from '../context';
import { closedLoop, type ClosedLoopResult } from '../load/closed-loop';
import { HttpClient } from '../load/http-client';
import {
  counterDelta,
  modelCounters,
  waitUntilIdle,
  type CounterDelta,
  type Drain,
  type ModelCounters,
} from '../load/ml-status';
import { OpenLoopProbe, type ProbeResult } from '../load/open-loop';
import { UsageMeter, type UsageWindow } from '../proc-stats';
import type { ServiceProcess } from '../service-process';
import {
  interleavedOrder,
  pairedRatios,
  round,
  spread,
  summariseLatencies,
  type LatencySummary,
  type Spread,
} from '../stats';
import type { CeilingConfig } from './ceiling';
import { startCeilingPool } from './ceiling';

type Arm = 'ceiling' | 'service' | 'seed';
const PROBE_CONNECTIONS = 8;

export interface ServiceRound {
  load: ClosedLoopResult;
  /** The service's own inference counters over the measured window. */
  model: CounterDelta;
  /** Work the service still did after the load generator left (requests of clients that had gone). */
  drain: Drain;
  usage: UsageWindow;
  cachedProbe: ProbeResult;
  liveProbe: ProbeResult;
}

export interface ArmSummary {
  throughput: Spread;
  p50: Spread;
  p95: Spread;
  p99: Spread;
  cpuPercent: Spread;
  machineCpuPercent: Spread;
  rssMbMax: Spread;
  failures: number;
  /** Mean inference time inside the runner (worker or main thread), vs the ceiling's batch p50. */
  meanInferenceMs: Spread;
  /**
   * Share of the window the inference workers spent inferring (Σ inference ms ÷ window × workers); below
   * ~90 % at saturation means workers sat idle waiting for the event loop to hand them work. Null for the
   * seed design, whose "inference ms" includes waiting behind other inferences on the one thread.
   */
  workerBusyPercent: Spread | null;
  rounds: ServiceRound[];
  /** (4): probe latencies pooled over all rounds, and each round's p99. */
  cachedProbe: LatencySummary & { roundP99: Spread; errors: number };
  liveProbe: LatencySummary & { roundP99: Spread; errors: number };
}

export interface ServiceScenarioResult {
  connections: number;
  warmupMs: number;
  durationMs: number;
  order: Arm[][];
  ceilingConfig: CeilingConfig & { chosenBy: 'sweep' | 'default' };
  ceilingTextsPerSecond: Spread;
  ceilingBatchP50Ms: Spread;
  /** CPU of this process (the ceiling's worker threads) and of the whole machine during the ceiling arm. */
  ceilingCpuPercent: Spread;
  ceilingMachineCpuPercent: Spread;
  service: ArmSummary;
  seed: ArmSummary;
  ratios: {
    serviceToCeiling: Spread;
    throughputServiceToSeed: Spread;
    p95ServiceToSeed: Spread;
  };
}

function probePooled(
  probes: ProbeResult[],
  samples: number[][],
): LatencySummary & { roundP99: Spread; errors: number } {
  return {
    ...summariseLatencies(samples.flat()),
    roundP99: spread(probes.map((probe) => probe.latencyMs.p99)),
    errors: probes.reduce((sum, probe) => sum + probe.errors, 0),
  };
}

export function busyPercent(round: ServiceRound, workers: number): number {
  return ((round.model.inferences * round.model.meanInferenceMs) / (round.load.durationMs * workers)) * 100;
}

export function summarise(
  rounds: ServiceRound[],
  cachedSamples: number[][],
  liveSamples: number[][],
  workers: number | null,
): ArmSummary {
  return {
    workerBusyPercent: workers === null ? null : spread(rounds.map((r) => busyPercent(r, workers))),
    throughput: spread(rounds.map((r) => r.load.requestsPerSecond)),
    p50: spread(rounds.map((r) => r.load.latencyMs.p50)),
    p95: spread(rounds.map((r) => r.load.latencyMs.p95)),
    p99: spread(rounds.map((r) => r.load.latencyMs.p99)),
    cpuPercent: spread(rounds.map((r) => r.usage.cpuPercent)),
    machineCpuPercent: spread(rounds.map((r) => r.usage.machineCpuPercent)),
    rssMbMax: spread(rounds.map((r) => r.usage.rssMbMax)),
    failures: rounds.reduce((sum, r) => sum + r.load.non2xx + r.load.errors + r.load.timeouts, 0),
    meanInferenceMs: spread(rounds.map((r) => r.model.meanInferenceMs)),
    rounds,
    cachedProbe: probePooled(
      rounds.map((r) => r.cachedProbe),
      cachedSamples,
    ),
    liveProbe: probePooled(
      rounds.map((r) => r.liveProbe),
      liveSamples,
    ),
  };
}

/** The probe records each latency so pooled percentiles can be taken across rounds. */
function recordingProbe(
  client: HttpClient,
  rate: number,
  sink: number[],
  send: (client: HttpClient) => ReturnType<HttpClient['get']>,
): OpenLoopProbe {
  return new OpenLoopProbe(client, rate, async (c) => {
    const response = await send(c);
    if (response.status >= 200 && response.status < 300) sink.push(response.ms);
    return response;
  });
}

export async function serviceRound(
  ctx: BenchContext,
  service: ServiceProcess,
  cachedText: string,
  cachedSink: number[],
  liveSink: number[],
): Promise<ServiceRound> {
  const { connections, warmupMs, durationMs, probeRatePerSecond } = ctx.plan.service;
  const cachedClient = new HttpClient(service.baseUrl, PROBE_CONNECTIONS);
  const liveClient = new HttpClient(service.baseUrl, PROBE_CONNECTIONS);
  // Meters, probes and counters run exactly over the measured window of one continuous load run.
  const measured: {
    opened?: Promise<{ before: ModelCounters; meter: UsageMeter; probes: OpenLoopProbe[] }>;
    closed?: Promise<{ model: CounterDelta; usage: UsageWindow; probes: ProbeResult[] }>;
  } = {};
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
          recordingProbe(cachedClient, probeRatePerSecond, cachedSink, (c) =>
            c.post('/api/ml/classify', { text: cachedText }),
          ).start(),
          recordingProbe(liveClient, probeRatePerSecond, liveSink, (c) => c.get('/api/health/live')).start(),
        ];
        measured.opened = modelCounters(liveClient).then((before) => ({ before, meter, probes }));
      },
      onWindowEnd: () => {
        measured.closed = measured.opened?.then(async ({ before, meter, probes }) => {
          const usage = meter.stop();
          const after = await modelCounters(liveClient);
          return { model: counterDelta(before, after), usage, probes: await Promise.all(probes.map((p) => p.stop())) };
        });
      },
    });
    if (!measured.closed) throw new Error('the measured window never opened');
    const { model, usage, probes } = await measured.closed;
    const drain = await waitUntilIdle(liveClient);
    return { load, model, usage, drain, cachedProbe: probes[0], liveProbe: probes[1] };
  } finally {
    cachedClient.close();
    liveClient.close();
  }
}

/** Classifies `text` once so later requests for it are cache hits; checks that they are. */
export async function primeCache(service: ServiceProcess, text: string): Promise<void> {
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

export async function runService(
  ctx: BenchContext,
  ceiling: { pool: CeilingPool; config: CeilingConfig } | null,
): Promise<ServiceScenarioResult> {
  const { plan } = ctx;
  const service = await ctx.service('heavy');
  const seed = await ctx.service('seed');
  const ownPool = ceiling === null;
  // Without (1) in this run: the recommended design (one single-threaded session per core, batch 1).
  const config: CeilingConfig = ceiling?.config ?? { workers: 2, batch: 1, grouped: false };
  const pool = ceiling?.pool ?? (await startCeilingPool('int8', config.workers));
  const ceilingTexts = Array.from({ length: 400 }, () => ctx.corpus.nextUnique().text);
  const cachedText = ctx.corpus.nextUnique().text;
  await primeCache(service, cachedText);
  await primeCache(seed, cachedText);

  const order = interleavedOrder<Arm>(['ceiling', 'service', 'seed'], plan.rounds);
  const ceilingRates: number[] = [];
  const ceilingBatchMs: number[] = [];
  const ceilingUsage: UsageWindow[] = [];
  const rounds: Record<'service' | 'seed', ServiceRound[]> = { service: [], seed: [] };
  const samples = {
    service: { cached: [] as number[][], live: [] as number[][] },
    seed: { cached: [] as number[][], live: [] as number[][] },
  };
  try {
    for (const [index, arms] of order.entries()) {
      for (const arm of arms) {
        if (arm === 'ceiling') {
          const meter = new UsageMeter(process.pid);
          const measured = await pool.measure(
            config.workers,
            config.batch,
            plan.service.warmupMs,
            plan.service.durationMs,
            ceilingTexts,
            config.grouped,
          );
          ceilingRates.push(measured.textsPerSecond);
          ceilingBatchMs.push(measured.batchP50Ms);
          const usage = meter.stop();
          ceilingUsage.push(usage);
          ctx.log(
            `    round ${index + 1} ceiling: ${round(measured.textsPerSecond, 1)} texts/s, batch p50 ${round(measured.batchP50Ms, 1)} ms, ` +
              `machine CPU ${round(usage.machineCpuPercent, 0)} %`,
          );
          continue;
        }
        const cachedSink: number[] = [];
        const liveSink: number[] = [];
        const result = await serviceRound(ctx, arm === 'service' ? service : seed, cachedText, cachedSink, liveSink);
        const busy = arm === 'service' ? `, workers busy ${round(busyPercent(result, HEAVY_WORKERS), 0)} %` : '';
        rounds[arm].push(result);
        samples[arm].cached.push(cachedSink);
        samples[arm].live.push(liveSink);
        ctx.log(
          `    round ${index + 1} ${arm}: ${round(result.load.requestsPerSecond, 1)} req/s, p95 ${round(result.load.latencyMs.p95, 1)} ms, ` +
            `inference ${round(result.model.meanInferenceMs, 1)} ms${busy}, CPU ${round(result.usage.cpuPercent, 0)} % ` +
            `(machine ${round(result.usage.machineCpuPercent, 0)} %), RSS ${round(result.usage.rssMbMax, 0)} MiB; probes p99 cached ` +
            `${round(result.cachedProbe.latencyMs.p99, 1)} ms, live ${round(result.liveProbe.latencyMs.p99, 1)} ms; ` +
            `after the load left: ${result.drain.inferences} inferences in ${round(result.drain.ms, 0)} ms`,
        );
      }
    }
  } finally {
    if (ownPool) await pool.dispose();
  }

  const serviceRates = rounds.service.map((r) => r.load.requestsPerSecond);
  return {
    connections: plan.service.connections,
    warmupMs: plan.service.warmupMs,
    durationMs: plan.service.durationMs,
    order,
    ceilingConfig: { ...config, chosenBy: ownPool ? 'default' : 'sweep' },
    ceilingTextsPerSecond: spread(ceilingRates),
    ceilingBatchP50Ms: spread(ceilingBatchMs),
    ceilingCpuPercent: spread(ceilingUsage.map((u) => u.cpuPercent)),
    ceilingMachineCpuPercent: spread(ceilingUsage.map((u) => u.machineCpuPercent)),
    service: summarise(rounds.service, samples.service.cached, samples.service.live, HEAVY_WORKERS),
    seed: summarise(rounds.seed, samples.seed.cached, samples.seed.live, null),
    ratios: {
      serviceToCeiling: pairedRatios(serviceRates, ceilingRates),
      throughputServiceToSeed: pairedRatios(
        serviceRates,
        rounds.seed.map((r) => r.load.requestsPerSecond),
      ),
      p95ServiceToSeed: pairedRatios(
        rounds.service.map((r) => r.load.latencyMs.p95),
        rounds.seed.map((r) => r.load.latencyMs.p95),
      ),
    },
  };
}
