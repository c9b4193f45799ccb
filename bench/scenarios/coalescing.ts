/** Coalescing: N identical never-seen texts at once must cost 1 inference; the seed design, for contrast, up to N. */
import type { BenchContext, Scenario, ServiceName } from '../context';
import { withClient } from '../load/http-client';
import { counterDelta, modelCounters, waitUntilIdle } from '../load/ml-status';
import { fmt, table } from '../markdown';
import { spread } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';

type Burst = Awaited<ReturnType<typeof arm>>['rounds'][number];

async function arm(ctx: BenchContext, name: ServiceName) {
  const { baseUrl } = await ctx.service(name);
  const { simultaneous } = ctx.plan.coalescing;
  const burst = () =>
    withClient(baseUrl, simultaneous, async (client) => {
      // Open all N sockets first (N requests at once on an N-socket agent): no handshake staggers the burst.
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
    });
  const rounds = [];
  for (let round = 1; round <= ctx.plan.rounds; round++) {
    const result = await burst();
    rounds.push(result);
    ctx.log(
      `    ${name} round ${round}: ${result.inferenceDelta} inference(s) for ${simultaneous} identical texts ` +
        `(${result.cachedResponses} answered from cache, ${result.failures} failed)`,
    );
  }
  return { service: name, rounds, inferenceDelta: spread(rounds.map((round) => round.inferenceDelta)) };
}

export const coalescing: Scenario = async (ctx) => {
  const { simultaneous } = ctx.plan.coalescing;
  const r = { simultaneous, service: await arm(ctx, 'heavy'), seed: await arm(ctx, 'seed') };
  const perRound = (value: (round: Burst) => string) => (arm: 'service' | 'seed') =>
    r[arm].rounds.map(value).join(', ');
  const deltas = r.service.rounds.map((round) => round.inferenceDelta);
  const section = [
    `## Coalescing — ${r.simultaneous} simultaneous identical uncached texts`,
    '',
    ...table(['service', 'seed'] as const, [
      ['service', (arm) => (arm === 'service' ? 'service (ML_COALESCE=true)' : 'seed design (ML_COALESCE=false)')],
      ['inferences per round', perRound((x) => String(x.inferenceDelta))],
      ['answered from cache', perRound((x) => String(x.cachedResponses))],
      ['failed', perRound((x) => String(x.failures))],
      ['burst spread ms', perRound((x) => fmt(x.spreadMs, 0))],
    ]),
  ];
  return {
    result: r,
    section,
    targets: [evaluateTarget(TARGETS.identicalBurstInferences, deltas, `rounds: ${deltas.join(', ')}`)],
  };
};
