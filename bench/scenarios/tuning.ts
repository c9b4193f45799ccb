/**
 * Tuning: the settings issue 6 asks the numbers to decide, each changed alone from the heavy-model profile (2)
 * runs with (HEAVY_PROFILE: micro-batches of 2), interleaved round by round under (2)'s load and (4)'s probes:
 * the service's plain defaults (no micro-batching, semaphore 3), worker threads at the event loop's priority
 * (ML_WORKER_NICE=0), micro-batches of 8 with a 2 ms wait and 50 ms age bound, one worker with two ONNX threads
 * instead of two single-threaded workers, and no prefetched message per worker (ML_WORKER_PIPELINE_DEPTH=1).
 */
import { HEAVY_WORKERS, TUNING_VARIANTS, type BenchContext, type ServiceName } from '../context';
import { interleavedOrder, pairedRatios, round, type Spread } from '../stats';
import { busyPercent, primeCache, serviceRound, summarise, type ArmSummary, type ServiceRound } from './service';

const ARMS: ServiceName[] = ['heavy', ...(Object.keys(TUNING_VARIANTS) as ServiceName[])];

export interface TuningArm {
  service: ServiceName;
  /** What differs from the heavy profile (2) runs with. */
  settings: Record<string, string>;
  summary: ArmSummary;
  /** Paired by round against the heavy profile ('heavy'). */
  throughputVsDefault: Spread;
  p95VsDefault: Spread;
}

export interface TuningResult {
  connections: number;
  durationMs: number;
  order: ServiceName[][];
  arms: TuningArm[];
}

const workersOf = (name: ServiceName): number => (name === 'heavy-1x2' ? 1 : HEAVY_WORKERS);

export async function runTuning(ctx: BenchContext): Promise<TuningResult> {
  const services = new Map<ServiceName, Awaited<ReturnType<BenchContext['service']>>>();
  for (const name of ARMS) services.set(name, await ctx.service(name));
  const cachedText = ctx.corpus.nextUnique().text;
  for (const service of services.values()) await primeCache(service, cachedText);

  const order = interleavedOrder<ServiceName>(ARMS, ctx.plan.rounds);
  const rounds = new Map<ServiceName, ServiceRound[]>(ARMS.map((name) => [name, []]));
  const samples = new Map<ServiceName, { cached: number[][]; live: number[][] }>(
    ARMS.map((name) => [name, { cached: [], live: [] }]),
  );
  for (const [index, arms] of order.entries()) {
    for (const name of arms) {
      const cachedSink: number[] = [];
      const liveSink: number[] = [];
      const result = await serviceRound(ctx, services.get(name)!, cachedText, cachedSink, liveSink);
      rounds.get(name)!.push(result);
      samples.get(name)!.cached.push(cachedSink);
      samples.get(name)!.live.push(liveSink);
      const batch = result.model.inferences ? result.model.texts / result.model.inferences : 0;
      ctx.log(
        `    round ${index + 1} ${name}: ${round(result.load.requestsPerSecond, 1)} req/s, p95 ${round(result.load.latencyMs.p95, 1)} ms, ` +
          `texts per run ${round(batch, 2)}, workers busy ${round(busyPercent(result, workersOf(name)), 0)} %, probes p99 cached ` +
          `${round(result.cachedProbe.latencyMs.p99, 1)} ms, live ${round(result.liveProbe.latencyMs.p99, 1)} ms`,
      );
    }
  }
  const base = rounds.get('heavy')!;
  return {
    connections: ctx.plan.service.connections,
    durationMs: ctx.plan.service.durationMs,
    order,
    arms: ARMS.map((name) => {
      const armRounds = rounds.get(name)!;
      const armSamples = samples.get(name)!;
      return {
        service: name,
        settings: name === 'heavy' ? {} : { ...TUNING_VARIANTS[name as keyof typeof TUNING_VARIANTS] },
        summary: summarise(armRounds, armSamples.cached, armSamples.live, workersOf(name)),
        throughputVsDefault: pairedRatios(
          armRounds.map((r) => r.load.requestsPerSecond),
          base.map((r) => r.load.requestsPerSecond),
        ),
        p95VsDefault: pairedRatios(
          armRounds.map((r) => r.load.latencyMs.p95),
          base.map((r) => r.load.latencyMs.p95),
        ),
      };
    }),
  };
}
