/**
 * Memory soak: the heavy int8 service (2 workers) under unique-text classify load and the shipped-model
 * service under whole conversations, both at saturation for the soak's duration. They run at the same time to
 * keep the full suite near 20 minutes; CPU is shared, memory is what is judged. RSS (all threads) is sampled
 * every 10 s; growth is from the sample at minute 2 (quick: the same 20 % point) to the last one.
 */
import { isAlive, type BenchService, type Scenario } from '../context';
import { closedLoop } from '../load/autocannon';
import { driveConversations } from '../load/conversation-driver';
import { HttpClient } from '../load/http-client';
import { fmt, table } from '../markdown';
import { memory } from '../proc-stats';
import { growthPercent } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';

interface RssSample {
  atMs: number;
  rssMb: number;
}

type SoakSeries = ReturnType<typeof series>;

/** `throughput`: requests (heavy) or conversation turns (shipped) per second over the soak. */
function series(
  service: BenchService,
  load: string,
  samples: RssSample[],
  baselineAtMs: number,
  throughput: number,
  failures: number,
) {
  const baseline = samples.reduce((best, s) =>
    Math.abs(s.atMs - baselineAtMs) < Math.abs(best.atMs - baselineAtMs) ? s : best,
  );
  const end = samples[samples.length - 1];
  return {
    service: service.name,
    load,
    samples,
    baselineAtMs: baseline.atMs,
    baselineRssMb: baseline.rssMb,
    endRssMb: end.rssMb,
    peakRssMb: isAlive(service) ? memory(service.pid).peakRssMb : Number.NaN,
    growthPercent: growthPercent(baseline.rssMb, end.rssMb),
    throughput,
    failures,
  };
}

function section(r: { durationMs: number; sampleEveryMs: number; heavy: SoakSeries; shipped: SoakSeries }): string[] {
  const both = [r.heavy, r.shipped];
  return [
    `## Memory soak — ${fmt(r.durationMs / 60_000, 0)} min, both services loaded at once, RSS every ${fmt(r.sampleEveryMs / 1000, 0)} s`,
    '',
    ...table(both, [
      ['service', (s) => (s.service === 'heavy' ? 'int8 heavy, 2 workers' : 'shipped model')],
      ['load', (s) => s.load],
      ['throughput /s', (s) => fmt(s.throughput)],
      ['failed', (s) => String(s.failures)],
      [`RSS at ${fmt(r.heavy.baselineAtMs / 1000, 0)} s MiB`, (s) => fmt(s.baselineRssMb, 0)],
      ['RSS end MiB', (s) => fmt(s.endRssMb, 0)],
      ['peak MiB', (s) => fmt(s.peakRssMb, 0)],
      ['growth %', (s) => fmt(s.growthPercent)],
    ]),
    '',
    `Samples (s: heavy / shipped MiB): ${r.heavy.samples.map((s, i) => `${fmt(s.atMs / 1000, 0)}: ${fmt(s.rssMb, 0)}/${fmt(r.shipped.samples[i]?.rssMb ?? Number.NaN, 0)}`).join(', ')}`,
    '',
  ];
}

export const memorySoak: Scenario = async (ctx) => {
  const heavy = await ctx.service('heavy');
  const shipped = await ctx.service('shipped');
  const { durationMs, sampleEveryMs, baselineAtMs, connections, participants } = ctx.plan.soak;
  const heavySamples: RssSample[] = [];
  const shippedSamples: RssSample[] = [];
  const started = performance.now();
  const sample = (): void => {
    if (!isAlive(heavy) || !isAlive(shipped)) return; // the load then fails and the run reports the exit
    const atMs = Math.round((performance.now() - started) / 1000) * 1000;
    heavySamples.push({ atMs, rssMb: memory(heavy.pid).rssMb });
    shippedSamples.push({ atMs, rssMb: memory(shipped.pid).rssMb });
    ctx.log(
      `    ${Math.round(atMs / 1000)} s: heavy ${fmt(heavySamples[heavySamples.length - 1].rssMb, 0)} MiB, ` +
        `shipped ${fmt(shippedSamples[shippedSamples.length - 1].rssMb, 0)} MiB`,
    );
  };
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  const client = new HttpClient(shipped.baseUrl, participants);
  try {
    const [heavyLoad, conversations] = await Promise.all([
      closedLoop({
        baseUrl: heavy.baseUrl,
        path: '/api/ml/classify',
        connections,
        durationMs,
        body: () => ({ text: ctx.corpus.nextUnique().text }),
      }),
      driveConversations(client, ctx.corpus, { participants, warmupMs: 0, durationMs }),
    ]);
    clearInterval(timer);
    sample();
    const result = {
      durationMs,
      sampleEveryMs,
      heavy: series(
        heavy,
        `classify, unique texts, ${connections} connections`,
        heavySamples,
        baselineAtMs,
        heavyLoad.requestsPerSecond,
        heavyLoad.non2xx + heavyLoad.errors + heavyLoad.timeouts,
      ),
      shipped: series(
        shipped,
        `conversations, ${participants} participants`,
        shippedSamples,
        baselineAtMs,
        conversations.requestsPerSecond,
        conversations.errors,
      ),
    };
    const window = `${fmt(result.heavy.baselineAtMs / 1000, 0)} s → ${fmt(durationMs / 1000, 0)} s`;
    return {
      result,
      section: section(result),
      targets: [
        evaluateTarget(TARGETS.heavyRssAfterSoak, result.heavy.endRssMb),
        evaluateTarget(TARGETS.shippedRssAfterSoak, result.shipped.endRssMb),
        evaluateTarget(TARGETS.heavyRssGrowth, result.heavy.growthPercent, window),
        evaluateTarget(TARGETS.shippedRssGrowth, result.shipped.growthPercent, window),
      ],
    };
  } finally {
    clearInterval(timer);
    client.close();
  }
};
