/** API processes: 1 HTTP process vs one per core vs a canned server; CPU and RSS of the whole process tree. */
import { freePort, startService, stopService, waitForHttp } from '../../test/support/service-process';
import { CLUSTER_PROCESSES, type BenchContext, type BenchService, type Scenario } from '../context';
import { closedLoop } from '../load/autocannon';
import { withClient } from '../load/http-client';
import { fmt, range, table } from '../markdown';
import { distinctResidentMb, memory, processTree, pssMb, UsageMeter, type UsageWindow } from '../proc-stats';
import { pairedBy, pairedRatios, spread, sum } from '../stats';
import { evaluateTarget, TARGETS } from '../targets';
import { conversationLevel, levelColumns } from './conversations';

/** The original load test's request, as test/e2e/chat.e2e-spec.ts posts it: chat logs as strings, an arm named. */
const ORIGINAL_BODY = {
  message: 'I ordered a winter jacket from your website two weeks ago and it still has not arrived.',
  index: 0,
  timer: '3',
  classType: '',
  chatLog: '[]',
  messageTypeLog: '[]',
  scenario: { brand: 'Lulu', problem_type: '', think_level: 'High', feel_level: 'High' },
};
const ARMS = ['single', 'cluster', 'canned'] as const;
type Arm = (typeof ARMS)[number];
type LoadRound = Awaited<ReturnType<typeof loadRound>>;
type Server = Pick<BenchService, 'baseUrl' | 'pid'>;
const MB_PER_MIB = 1.048576;

const armName = (arm: Arm): string =>
  arm === 'canned' ? 'canned node:http server' : `API_PROCESSES=${arm === 'single' ? 1 : CLUSTER_PROCESSES}`;

/** One closed loop of the original request; CPU and RSS of the server's process tree over exactly the window. */
async function loadRound(ctx: BenchContext, server: Server, connections: number, label: string) {
  let meter: UsageMeter | undefined;
  let usage: UsageWindow | undefined;
  const { warmupMs, durationMs } = ctx.plan.processes;
  const load = await closedLoop({
    warmupMs,
    durationMs,
    baseUrl: server.baseUrl,
    path: '/api/random/',
    connections,
    body: () => ORIGINAL_BODY,
    onWindowStart: () => void (meter = new UsageMeter(server.pid, true)),
    onWindowEnd: () => void (usage = meter?.stop()),
  });
  if (!usage) throw new Error('the measured window never opened');
  // The generator's last requests are still being answered (and stored) when it returns.
  await new Promise((resolve) => setTimeout(resolve, 250));
  ctx.log(
    `    ${label}, ${connections} connections: mean ${fmt(load.latencyMs.mean, 1)} ms, ` +
      `p95 ${fmt(load.latencyMs.p95, 1)} ms, ${fmt(load.requestsPerSecond, 0)} req/s, non-2xx ${JSON.stringify(load.non2xxByStatus)}, ` +
      `${load.errorsInWindow} errors, CPU ${fmt(usage.cpuPercent, 0)} % (machine ${fmt(usage.machineCpuPercent, 0)} %)`,
  );
  return { ...load, usage };
}

/** The rounds of `arm` at one connection count (`level`: its index in the plan). */
function summarise(arm: Arm, connections: number, armRounds: LoadRound[][], level: number) {
  const rounds = armRounds.map((loops) => loops[level]);
  const of = (value: (r: LoadRound) => number) => spread(rounds.map(value));
  return {
    arm,
    connections,
    meanMs: of((r) => r.latencyMs.mean),
    p95Ms: of((r) => r.latencyMs.p95),
    requestsPerSecond: of((r) => r.requestsPerSecond),
    /** 2xx ÷ every answer and error inside the window. */
    successShare: of((r) => r.ok / (r.ok + r.non2xx + r.errorsInWindow)),
    cpuSecondsPerSecond: of((r) => r.usage.cpuPercent / 100),
    machineCpuSecondsPerSecond: of((r) => r.usage.machineCpuPercent / 100),
    rssMbMax: of((r) => r.usage.rssMbMax),
    rounds,
  };
}

async function measure(ctx: BenchContext) {
  const { connections: levels, participants } = ctx.plan.processes;
  const services = { single: await ctx.service('shipped'), cluster: await ctx.service('shipped-cluster') };
  const reply = await withClient(services.single.baseUrl, 1, (client) => client.post('/api/random/', ORIGINAL_BODY));
  if (reply.status !== 200) throw new Error(`the original request answered ${reply.status}`);
  const cannedBody = JSON.stringify(reply.body);
  const env = { PORT: String(await freePort()), CANNED_BODY: cannedBody };
  const canned = ctx.adopt(
    startService(env, 'bench/load/canned-server.ts', ['--require', 'ts-node/register/transpile-only']),
  );
  await waitForHttp(canned, canned.baseUrl, 30_000);
  const servers: Record<Arm, Server> = { ...services, canned: { baseUrl: canned.baseUrl, pid: canned.child.pid! } };
  // Each round of an arm runs one closed loop per connection count.
  const { rounds: loads } = await ctx
    .interleave(ARMS, async (arm, round) => {
      const loops: LoadRound[] = [];
      const label = `round ${round} ${armName(arm)}`;
      for (const connections of levels) loops.push(await loadRound(ctx, servers[arm], connections, label));
      return loops;
    })
    .finally(() => stopService(canned));
  const stress = { participants, thinkMs: null };
  const { rounds: conversations } = await ctx.interleave(['single', 'cluster'] as const, (arm) =>
    conversationLevel(ctx, services[arm], stress, true),
  );
  // With other than two cores the shipped default is not two processes: then a two-process service gets the load.
  const two = CLUSTER_PROCESSES === 2 ? services.cluster : await ctx.service('shipped-2');
  if (two !== services.cluster) await conversationLevel(ctx, two, stress, true);
  const pids = processTree(two.pid);
  const tree = pids.map((pid) => ({ pid, rssMb: memory(pid).rssMb, pssMb: pssMb(pid) }));
  return {
    request: ORIGINAL_BODY,
    replyBytes: Buffer.byteLength(cannedBody),
    clusterProcesses: CLUSTER_PROCESSES,
    ...ctx.plan.processes,
    original: ARMS.flatMap((arm) => levels.map((n, level) => summarise(arm, n, loads[arm], level))),
    conversations,
    turnsClusterToSingle: pairedBy(conversations.cluster, conversations.single, (level) => level.requestsPerSecond),
    twoProcess: {
      service: two.name,
      tree,
      rssMb: sum(tree, (p) => p.rssMb),
      pssMb: sum(tree, (p) => p.pssMb),
      distinctMb: distinctResidentMb(pids),
    },
  };
}

function section(r: Awaited<ReturnType<typeof measure>>): string[] {
  const throughput = (arm: Arm, n: number): number[] =>
    r.original.find((s) => s.arm === arm && s.connections === n)?.requestsPerSecond.values ?? [];
  const levels = (['single', 'cluster'] as const).flatMap((arm) => r.conversations[arm].map((l) => ({ arm, ...l })));
  const { twoProcess: two } = r;
  return [
    `## API processes — shipped model: 1 HTTP process vs API_PROCESSES=${r.clusterProcesses} (the default: one per core) vs a canned server`,
    '',
    `The original client's load test: a closed loop, every request \`POST /api/random/\` with one fixed complaint at index 0, an arm named in \`scenario\`, chat logs as strings, no greeting, no cookie (${fmt(r.durationMs / 1000)} s per arm and level after ${fmt(r.warmupMs / 1000)} s warm-up). Every request opens and stores a conversation; its classification is a Redis result-cache hit after the first, which is what that load test really exercises. The canned server answers every POST with a ${r.replyBytes}-byte reply of the service (without the service's headers): HTTP and the load generator alone (its RSS includes ts-node, which loads it). CPU in seconds per second (2 = both cores); CPU and RSS (sum of VmRSS) are of the whole process tree. Median (min–max) over interleaved rounds.`,
    '',
    ...table(r.original, [
      ['server', (s) => armName(s.arm)],
      ['connections', (s) => String(s.connections)],
      ['mean ms', (s) => range(s.meanMs)],
      ['p95 ms', (s) => range(s.p95Ms)],
      ['req/s', (s) => range(s.requestsPerSecond, 0)],
      ['2xx share', (s) => range(s.successShare, 3)],
      ['CPU s/s', (s) => range(s.cpuSecondsPerSecond, 2)],
      ['machine CPU s/s', (s) => range(s.machineCpuSecondsPerSecond, 2)],
      ['RSS max MiB', (s) => range(s.rssMbMax, 0)],
    ]),
    `Throughput API_PROCESSES=${r.clusterProcesses} ÷ 1 (paired by round): ${r.connections.map((n) => `${range(pairedRatios(throughput('cluster', n), throughput('single', n)), 2)} at ${n} connections`).join(', ')}.`,
    '',
    `### Whole conversations, ${r.participants} participants without think time`,
    '',
    ...table(levels, [['server', (l) => armName(l.arm)], ...levelColumns(true)]),
    `Turns/s API_PROCESSES=${r.clusterProcesses} ÷ 1 (paired by round): ${range(r.turnsClusterToSingle, 2)}.`,
    ...levels.flatMap((l) => [...l.errorExamples, ...l.rows.examples].map((e) => `- ${armName(l.arm)}: ${e}`)),
    '',
    `Memory of the whole \`${two.service}\` service after the load: its resident pages counted once (judged; the sum of VmRSS where pagemap is unreadable) ${two.distinctMb === null ? 'unreadable (not root)' : `${fmt(two.distinctMb, 0)} MiB`}; sum of VmRSS (primary first) ${two.tree.map((p) => fmt(p.rssMb, 0)).join(' + ')} = ${fmt(two.rssMb, 0)} MiB, counting the pages they share (the node binary, libonnxruntime) once per process; PSS, which divides shared pages among every process that maps them, ${fmt(two.pssMb, 0)} MiB.`,
    '',
  ];
}

export const processes: Scenario = async (ctx) => {
  const result = await measure(ctx);
  const cluster = (n: number) => result.original.find((s) => s.arm === 'cluster' && s.connections === n);
  const mean = (n: number): number | null => cluster(n)?.meanMs.median ?? null;
  const note = (n: number): string =>
    `median of ${ctx.plan.rounds} rounds, p95 ${fmt(cluster(n)?.p95Ms.median ?? NaN)} ms`;
  const all = [...result.conversations.single, ...result.conversations.cluster];
  const stored = `${sum(all, (l) => l.rows.complete)}/${sum(all, (l) => l.rows.checked)} conversations stored complete`;
  const rows = `${stored}, ${sum(all, (l) => l.errors)} errors`;
  const { twoProcess: two } = result;
  const counted = two.distinctMb === null ? 'sum of VmRSS (pagemap unreadable)' : 'resident pages counted once';
  const mb = (mib: number): string => `${fmt(mib * MB_PER_MIB, 0)} MB`;
  const twoNote = `${two.tree.length} processes, ${counted}; sum of VmRSS ${mb(two.rssMb)}, PSS ${mb(two.pssMb)}`;
  return {
    result,
    section: section(result),
    targets: [
      evaluateTarget(TARGETS.originalMeanAt30, mean(30), note(30)),
      evaluateTarget(TARGETS.originalMeanAt100, mean(100), note(100)),
      evaluateTarget(TARGETS.clusterTurnsGain, result.turnsClusterToSingle.median, `median of paired rounds; ${rows}`),
      evaluateTarget(TARGETS.twoProcessRss, (two.distinctMb ?? two.rssMb) * MB_PER_MIB, twoNote),
    ],
  };
};
