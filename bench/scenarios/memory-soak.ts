/** Memory soak: heavy and shipped services loaded at once, to save time (CPU is shared; memory is what is judged). */
import { isAlive, type Scenario } from '../context';
import { closedLoop, failedRequests } from '../load/autocannon';
import { driveConversations } from '../load/conversation-driver';
import { withClient } from '../load/http-client';
import { fmt, table } from '../markdown';
import { memory } from '../proc-stats';
import { growthPercent } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';

export const memorySoak: Scenario = async (ctx) => {
  const services = { heavy: await ctx.service('heavy'), shipped: await ctx.service('shipped') };
  const { durationMs, sampleEveryMs, baselineAtMs, connections, participants } = ctx.plan.soak;
  const samples: Record<'heavy' | 'shipped', { atMs: number; rssMb: number }[]> = { heavy: [], shipped: [] };
  const started = performance.now();
  const sample = (): void => {
    // A service that exited fails its load, and the run reports that.
    if (!isAlive(services.heavy) || !isAlive(services.shipped)) return;
    const atMs = Math.round((performance.now() - started) / 1000) * 1000;
    const rss = { heavy: memory(services.heavy.pid).rssMb, shipped: memory(services.shipped.pid).rssMb };
    for (const name of ['heavy', 'shipped'] as const) samples[name].push({ atMs, rssMb: rss[name] });
    ctx.log(`    ${Math.round(atMs / 1000)} s: heavy ${fmt(rss.heavy, 0)} MiB, shipped ${fmt(rss.shipped, 0)} MiB`);
  };
  sample();
  const timer = setInterval(sample, sampleEveryMs);
  const [heavyLoad, conversations] = await Promise.all([
    closedLoop({
      baseUrl: services.heavy.baseUrl,
      path: '/api/ml/classify',
      connections,
      durationMs,
      body: () => ({ text: ctx.corpus.nextUnique().text }),
    }),
    withClient(services.shipped.baseUrl, participants, (client) =>
      driveConversations(client, ctx.corpus, { participants, warmupMs: 0, durationMs }),
    ),
  ]).finally(() => clearInterval(timer));
  sample();
  // Load, throughput (requests or conversation turns per second over the soak) and failures of each service.
  const heavyFailures = failedRequests([heavyLoad]);
  const loads = {
    heavy: [`classify, unique texts, ${connections} connections`, heavyLoad.requestsPerSecond, heavyFailures],
    shipped: [`conversations, ${participants} participants`, conversations.requestsPerSecond, conversations.errors],
  } as const;
  const series = (name: 'heavy' | 'shipped') => {
    const [load, throughput, failures] = loads[name];
    const rss = samples[name];
    const baseline = rss.reduce((best, s) =>
      Math.abs(s.atMs - baselineAtMs) < Math.abs(best.atMs - baselineAtMs) ? s : best,
    );
    const end = rss[rss.length - 1];
    return {
      service: name,
      load,
      samples: rss,
      baselineAtMs: baseline.atMs,
      baselineRssMb: baseline.rssMb,
      endRssMb: end.rssMb,
      peakRssMb: isAlive(services[name]) ? memory(services[name].pid).peakRssMb : Number.NaN,
      growthPercent: growthPercent(baseline.rssMb, end.rssMb),
      throughput,
      failures,
    };
  };
  const r = { durationMs, sampleEveryMs, heavy: series('heavy'), shipped: series('shipped') };
  const window = `${fmt(r.heavy.baselineAtMs / 1000, 0)} s → ${fmt(durationMs / 1000, 0)} s`;
  const section = [
    `## Memory soak — ${fmt(r.durationMs / 60_000, 0)} min, both services loaded at once, RSS every ${fmt(r.sampleEveryMs / 1000, 0)} s`,
    '',
    ...table(
      [r.heavy, r.shipped],
      [
        ['service', (s) => (s.service === 'heavy' ? 'int8 heavy, 2 workers' : 'shipped model')],
        ['load', (s) => s.load],
        ['throughput /s', (s) => fmt(s.throughput)],
        ['failed', (s) => String(s.failures)],
        [`RSS at ${fmt(r.heavy.baselineAtMs / 1000, 0)} s MiB`, (s) => fmt(s.baselineRssMb, 0)],
        ['RSS end MiB', (s) => fmt(s.endRssMb, 0)],
        ['peak MiB', (s) => fmt(s.peakRssMb, 0)],
        ['growth %', (s) => fmt(s.growthPercent)],
      ],
    ),
    `Samples (s: heavy / shipped MiB): ${r.heavy.samples.map((s, i) => `${fmt(s.atMs / 1000, 0)}: ${fmt(s.rssMb, 0)}/${fmt(r.shipped.samples[i]?.rssMb ?? Number.NaN, 0)}`).join(', ')}`,
    '',
  ];
  return {
    result: r,
    section,
    targets: [
      evaluateTarget(TARGETS.heavyRssAfterSoak, r.heavy.endRssMb),
      evaluateTarget(TARGETS.shippedRssAfterSoak, r.shipped.endRssMb),
      evaluateTarget(TARGETS.heavyRssGrowth, r.heavy.growthPercent, window),
      evaluateTarget(TARGETS.shippedRssGrowth, r.shipped.growthPercent, window),
    ],
  };
};
