/**
 * Coalescing: N requests with one identical, never-seen text, sent at the same instant over N already-open
 * connections; the model's inference counter (GET /api/ml/status) must move by exactly 1. The seed
 * configuration (ML_COALESCE=false) is measured too, for contrast: it is expected to run up to N inferences.
 */
import type { BenchContext, BenchService, Scenario, ServiceName } from '../context';
import { HttpClient } from '../load/http-client';
import { counterDelta, modelCounters, waitUntilIdle } from '../load/ml-status';
import { fmt, table } from '../markdown';
import { spread } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';

type CoalescingRound = Awaited<ReturnType<typeof burst>>;
type CoalescingArm = Awaited<ReturnType<typeof arm>>;

async function burst(ctx: BenchContext, service: BenchService, simultaneous: number) {
  const client = new HttpClient(service.baseUrl, simultaneous);
  try {
    // Open all N sockets first (N concurrent requests on an N-socket agent), so the burst is not staggered by
    // TCP handshakes.
    await Promise.all(Array.from({ length: simultaneous }, () => client.get('/api/health/live')));
    await waitUntilIdle(client);
    const before = await modelCounters(client);
    const text = ctx.corpus.nextUnique().text;
    const responses = await Promise.all(
      Array.from({ length: simultaneous }, () => client.post<{ cached?: boolean }>('/api/ml/classify', { text })),
    );
    const delta = counterDelta(before, await modelCounters(client));
    const ms = responses.map((response) => response.ms);
    const ok = responses.filter((response) => response.status === 200);
    return {
      inferenceDelta: delta.inferences,
      textsDelta: delta.texts,
      coalescedDelta: delta.coalesced,
      ok: ok.length,
      cachedResponses: ok.filter((response) => response.body.cached === true).length,
      failures: responses.length - ok.length,
      spreadMs: Math.max(...ms) - Math.min(...ms),
    };
  } finally {
    client.close();
  }
}

async function arm(ctx: BenchContext, name: ServiceName) {
  const service = await ctx.service(name);
  const rounds: Awaited<ReturnType<typeof burst>>[] = [];
  for (let index = 0; index < ctx.plan.rounds; index++) {
    const result = await burst(ctx, service, ctx.plan.coalescing.simultaneous);
    rounds.push(result);
    ctx.log(
      `    ${name} round ${index + 1}: ${result.inferenceDelta} inference(s) for ${ctx.plan.coalescing.simultaneous} ` +
        `identical texts (${result.cachedResponses} answered from cache, ${result.failures} failed)`,
    );
  }
  return { service: name, rounds, inferenceDelta: spread(rounds.map((round) => round.inferenceDelta)) };
}

function section(r: { simultaneous: number; service: CoalescingArm; seed: CoalescingArm }): string[] {
  const perRound = (value: (round: CoalescingRound) => string) => (arm: CoalescingArm) =>
    arm.rounds.map(value).join(', ');
  const arms = [r.service, r.seed];
  return [
    `## Coalescing — ${r.simultaneous} simultaneous identical uncached texts`,
    '',
    ...table(arms, [
      [
        'service',
        (arm) => (arm.service === 'heavy' ? 'service (ML_COALESCE=true)' : 'seed design (ML_COALESCE=false)'),
      ],
      ['inferences per round', perRound((x) => String(x.inferenceDelta))],
      ['answered from cache', perRound((x) => String(x.cachedResponses))],
      ['failed', perRound((x) => String(x.failures))],
      ['burst spread ms', perRound((x) => fmt(x.spreadMs, 0))],
    ]),
    '',
  ];
}

export const coalescing: Scenario = async (ctx) => {
  const result = {
    simultaneous: ctx.plan.coalescing.simultaneous,
    service: await arm(ctx, 'heavy'),
    seed: await arm(ctx, 'seed'),
  };
  const deltas = result.service.rounds.map((round) => round.inferenceDelta);
  return {
    result,
    section: section(result),
    targets: [evaluateTarget(TARGETS.identicalBurstInferences, deltas, `rounds: ${deltas.join(', ')}`)],
  };
};
