/** Tuning: each serving setting changed alone from the heavy profile, under the service's load and probes. */
import { HEAVY_PROFILE, HEAVY_WORKERS, TUNING_VARIANTS, type BenchContext, type Scenario } from '../context';
import { range, settings, table, fmt } from '../markdown';
import { pairedBy } from '../stats';
import { p95, primedText, rate, serviceRound, summarise } from './service-vs-ceiling';

type Arm = 'heavy' | keyof typeof TUNING_VARIANTS;
const ARMS = ['heavy', ...Object.keys(TUNING_VARIANTS)] as Arm[];
const workersOf = (name: Arm): number => (name === 'heavy-1x2' ? 1 : HEAVY_WORKERS);

function section(r: Awaited<ReturnType<typeof measure>>): string[] {
  return [
    `## Tuning — one setting changed at a time from the heavy profile, heavy int8 model, unique texts, ${r.connections} connections`,
    '',
    'Interleaved with the profile round by round; ratios are paired by round (variant ÷ profile). Probes as in service vs ceiling.',
    '',
    ...table(r.arms, [
      ['service', (a) => a.service],
      [
        'changed',
        (a) => (Object.keys(a.settings).length ? settings(a.settings) : `(profile: ${settings(HEAVY_PROFILE)})`),
      ],
      ['req/s', (a) => range(a.summary.throughput)],
      ['vs profile', (a) => range(a.throughputVsDefault, 2)],
      ['p95 ms', (a) => range(a.summary.p95)],
      ['p95 vs profile', (a) => range(a.p95VsDefault, 2)],
      ['inference ms', (a) => range(a.summary.meanInferenceMs)],
      ['workers busy %', (a) => (a.summary.workerBusyPercent ? range(a.summary.workerBusyPercent, 0) : 'n/a')],
      ['cached probe p99 ms', (a) => fmt(a.summary.cachedProbe.p99)],
      ['live probe p99 ms', (a) => fmt(a.summary.liveProbe.p99)],
      ['CPU %', (a) => range(a.summary.cpuPercent, 0)],
      ['RSS max MiB', (a) => range(a.summary.rssMbMax, 0)],
      ['failed', (a) => String(a.summary.failures)],
    ]),
  ];
}

async function measure(ctx: BenchContext) {
  const services = [];
  for (const name of ARMS) services.push(await ctx.service(name));
  const cachedText = await primedText(ctx, ...services);
  const { order, rounds } = await ctx.interleave(ARMS, async (name, round) =>
    serviceRound(ctx, await ctx.service(name), workersOf(name), cachedText, round),
  );
  return {
    connections: ctx.plan.service.connections,
    durationMs: ctx.plan.service.durationMs,
    order,
    arms: ARMS.map((name) => ({
      service: name,
      // What differs from the heavy profile; ratios are paired by round against it.
      settings: name === 'heavy' ? {} : { ...TUNING_VARIANTS[name] },
      summary: summarise(rounds[name], workersOf(name)),
      throughputVsDefault: pairedBy(rounds[name], rounds.heavy, rate),
      p95VsDefault: pairedBy(rounds[name], rounds.heavy, p95),
    })),
  };
}

export const tuning: Scenario = async (ctx) => {
  const result = await measure(ctx);
  return { result, section: section(result), targets: [] };
};
