/**
 * (8) Memory soak: the heavy int8 service (2 workers) under unique-text classify load and the shipped-model
 * service under whole conversations, both at saturation for the soak's duration. They run at the same time to
 * keep the full suite near 20 minutes; CPU is shared, memory is what is judged. RSS (all threads) is sampled
 * every 10 s; growth is from the sample at minute 2 (quick: the same 20 % point) to the last one.
 */
import type { BenchContext, ServiceName } from '../context';
import { closedLoop } from '../load/closed-loop';
import { driveConversations } from '../load/conversation-driver';
import { HttpClient } from '../load/http-client';
import { memory } from '../proc-stats';
import type { ServiceProcess } from '../service-process';
import { growthPercent, round } from '../stats';

export interface RssSample {
  atMs: number;
  rssMb: number;
}

export interface SoakSeries {
  service: ServiceName;
  load: string;
  samples: RssSample[];
  baselineAtMs: number;
  baselineRssMb: number;
  endRssMb: number;
  peakRssMb: number;
  growthPercent: number;
  /** Requests (heavy) or conversation turns (shipped) per second over the soak. */
  throughput: number;
  failures: number;
}

export interface SoakResult {
  durationMs: number;
  sampleEveryMs: number;
  heavy: SoakSeries;
  shipped: SoakSeries;
}

function closestSample(samples: RssSample[], atMs: number): RssSample {
  return samples.reduce((best, sample) => (Math.abs(sample.atMs - atMs) < Math.abs(best.atMs - atMs) ? sample : best));
}

function series(
  name: ServiceName,
  load: string,
  service: ServiceProcess,
  samples: RssSample[],
  baselineAtMs: number,
  throughput: number,
  failures: number,
): SoakSeries {
  const baseline = closestSample(samples, baselineAtMs);
  const end = samples[samples.length - 1];
  return {
    service: name,
    load,
    samples,
    baselineAtMs: baseline.atMs,
    baselineRssMb: baseline.rssMb,
    endRssMb: end.rssMb,
    peakRssMb: service.alive ? memory(service.pid).peakRssMb : Number.NaN,
    growthPercent: growthPercent(baseline.rssMb, end.rssMb),
    throughput,
    failures,
  };
}

export async function runMemorySoak(ctx: BenchContext): Promise<SoakResult> {
  const heavy = await ctx.service('heavy');
  const shipped = await ctx.service('shipped');
  const { durationMs, sampleEveryMs, baselineAtMs, connections, participants } = ctx.plan.soak;
  const heavySamples: RssSample[] = [];
  const shippedSamples: RssSample[] = [];
  const started = performance.now();
  const sample = (): void => {
    if (!heavy.alive || !shipped.alive) return; // the load then fails and the run reports the exit
    const atMs = Math.round((performance.now() - started) / 1000) * 1000;
    heavySamples.push({ atMs, rssMb: memory(heavy.pid).rssMb });
    shippedSamples.push({ atMs, rssMb: memory(shipped.pid).rssMb });
    ctx.log(
      `    ${Math.round(atMs / 1000)} s: heavy ${round(heavySamples[heavySamples.length - 1].rssMb, 0)} MiB, ` +
        `shipped ${round(shippedSamples[shippedSamples.length - 1].rssMb, 0)} MiB`,
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
    return {
      durationMs,
      sampleEveryMs,
      heavy: series(
        'heavy',
        `classify, unique texts, ${connections} connections`,
        heavy,
        heavySamples,
        baselineAtMs,
        heavyLoad.requestsPerSecond,
        heavyLoad.non2xx + heavyLoad.errors + heavyLoad.timeouts,
      ),
      shipped: series(
        'shipped',
        `conversations, ${participants} participants`,
        shipped,
        shippedSamples,
        baselineAtMs,
        conversations.requestsPerSecond,
        conversations.errors,
      ),
    };
  } finally {
    clearInterval(timer);
    client.close();
  }
}
