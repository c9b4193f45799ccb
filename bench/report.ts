/**
 * The run's results as JSON (everything measured) and as a markdown summary (what a reader needs: the machine,
 * the corpus, one table per scenario, and the issue's targets as PASS/FAIL lines).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HEAVY_PROFILE } from './context';
import type { HistogramBucket } from './corpus';
import type { CodeInfo, MachineInfo } from './machine-info';
import type { Mode, Plan } from './plan';
import type { CachePathResult } from './scenarios/cache-path';
import type { CeilingResult } from './scenarios/ceiling';
import type { CoalescingResult } from './scenarios/coalescing';
import { describeThink, type ConversationsResult } from './scenarios/conversations';
import type { SoakResult } from './scenarios/memory-soak';
import type { TuningResult } from './scenarios/tuning';
import type { ServiceScenarioResult } from './scenarios/service';
import type { Spread } from './stats';
import { evaluateTarget, formatTarget, TARGETS, type TargetResult } from './targets';

export interface CorpusInfo {
  seed: number;
  unit: string;
  sampleSize: number;
  meanTokens: number;
  histogram: HistogramBucket[];
  byLength: Record<string, number>;
  byCategory: Record<string, number>;
}

export interface BenchResults {
  name: Mode;
  date: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  code: CodeInfo;
  plan: Plan;
  scenarios: string[];
  corpus: CorpusInfo;
  models: { heavy: string; shipped: string };
  loadGenerators: Record<string, string>;
  services: Record<string, Record<string, string>>;
  serviceStartupMs: Partial<Record<string, number>>;
  results: {
    ceiling?: CeilingResult;
    service?: ServiceScenarioResult;
    coalescing?: CoalescingResult;
    cache?: CachePathResult;
    conversations?: ConversationsResult;
    soak?: SoakResult;
    tuning?: TuningResult;
  };
  failures: { scenario: string; message: string }[];
  targets: TargetResult[];
}

/** The issue's targets from whatever scenarios ran; a scenario that did not run leaves its targets N/A. */
export function evaluateTargets(results: BenchResults['results']): TargetResult[] {
  const { service, coalescing, conversations, soak } = results;
  const out: TargetResult[] = [];
  out.push(
    evaluateTarget(
      TARGETS.ceilingRatio,
      service ? service.ratios.serviceToCeiling.median : null,
      service
        ? `median of ${service.ratios.serviceToCeiling.values.length} paired rounds, ceiling at workers ${service.ceilingConfig.workers} × batch ${service.ceilingConfig.batch}${service.ceilingConfig.grouped ? ' grouped' : ''} (${service.ceilingConfig.chosenBy})`
        : undefined,
    ),
    evaluateTarget(
      TARGETS.seedThroughput,
      service ? service.ratios.throughputServiceToSeed.median : null,
      service ? 'median of paired rounds' : undefined,
    ),
    evaluateTarget(
      TARGETS.seedP95,
      service ? service.ratios.p95ServiceToSeed.median : null,
      service ? 'median of paired rounds' : undefined,
    ),
    evaluateTarget(
      TARGETS.cachedP99,
      service ? service.service.cachedProbe.p99 : null,
      service ? `${service.service.cachedProbe.count} samples pooled over the rounds` : undefined,
    ),
    evaluateTarget(
      TARGETS.liveP99,
      service ? service.service.liveProbe.p99 : null,
      service ? `${service.service.liveProbe.count} samples pooled over the rounds` : undefined,
    ),
    evaluateTarget(
      TARGETS.coalescing,
      coalescing ? coalescing.service.rounds.map((round) => round.inferenceDelta) : null,
      coalescing ? `rounds: ${coalescing.service.rounds.map((round) => round.inferenceDelta).join(', ')}` : undefined,
    ),
  );
  const at100 = conversations?.levels.find((level) => level.participants === 100 && level.thinkMs !== null);
  const stress100 = conversations?.levels.find((level) => level.participants === 100 && level.thinkMs === null);
  const stressNote = stress100
    ? `; without think time at 100: p95 ${stress100.turnLatencyMs.p95.toFixed(1)} ms at ${stress100.requestsPerSecond.toFixed(0)} turns/s`
    : '';
  out.push(
    evaluateTarget(
      TARGETS.conversationP95,
      at100 ? at100.turnLatencyMs.p95 : null,
      at100 ? `${describeThink(at100.thinkMs)}, ${at100.requestsPerSecond.toFixed(0)} turns/s${stressNote}` : 'not run',
    ),
    evaluateTarget(
      TARGETS.conversationErrors,
      conversations ? conversations.levels.reduce((sum, level) => sum + level.errors, 0) : null,
      conversations ? `${conversations.levels.length} levels` : undefined,
    ),
    evaluateTarget(
      TARGETS.conversationRows,
      conversations
        ? conversations.levels.reduce((sum, level) => sum + level.rows.missing + level.rows.incomplete, 0)
        : null,
      conversations
        ? `${conversations.levels.reduce((sum, level) => sum + level.rows.checked, 0)} conversations checked`
        : undefined,
    ),
  );
  out.push(
    evaluateTarget(TARGETS.soakHeavyRss, soak ? soak.heavy.endRssMb : null),
    evaluateTarget(TARGETS.soakShippedRss, soak ? soak.shipped.endRssMb : null),
    evaluateTarget(
      TARGETS.soakHeavyGrowth,
      soak ? soak.heavy.growthPercent : null,
      soak ? `${(soak.heavy.baselineAtMs / 1000).toFixed(0)} s → ${(soak.durationMs / 1000).toFixed(0)} s` : undefined,
    ),
    evaluateTarget(
      TARGETS.soakShippedGrowth,
      soak ? soak.shipped.growthPercent : null,
      soak
        ? `${(soak.shipped.baselineAtMs / 1000).toFixed(0)} s → ${(soak.durationMs / 1000).toFixed(0)} s`
        : undefined,
    ),
  );
  return out;
}

const fmt = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const range = (s: Spread, digits = 1): string =>
  `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  const push = (...more: string[]): void => void lines.push(...more);
  push(`# Combot benchmark — ${r.name} — ${r.date}`, '');
  push(
    `- Machine: ${r.machine.cpuModel}, ${r.machine.cores} cores, ${r.machine.memoryGb} GB RAM, ${r.machine.os}; Node ${r.machine.node}`,
    `- Load average at start / end: ${r.machine.loadAverageAtStart.join(' ')} / ${r.machine.loadAverageAtEnd.join(' ')} (a shared machine: only ratios of interleaved rounds are judged)`,
    `- Commit ${r.code.commit}${r.code.uncommittedFiles ? ` + ${r.code.uncommittedFiles} uncommitted file(s)` : ''}${r.code.newerThanBuild.length ? `; changed under src/ after dist/ was built (not measured): ${r.code.newerThanBuild.slice(0, 6).join(', ')}${r.code.newerThanBuild.length > 6 ? ', …' : ''}` : ''}`,
    `- Wall time ${fmt(r.wallSeconds, 0)} s; scenarios: ${r.scenarios.join(', ')}; ${r.plan.rounds} interleaved rounds per comparison, warm-up excluded from every measurement`,
    `- Heavy model: ${r.models.heavy}`,
    `- Shipped model: ${r.models.shipped}`,
    `- Load: ${Object.entries(r.loadGenerators)
      .map(([use, tool]) => `${use}: ${tool}`)
      .join('; ')}`,
    '',
  );

  push('## Targets', '', ...r.targets.map(formatTarget), '');
  if (r.failures.length)
    push('## Scenario failures', '', ...r.failures.map((f) => `- ${f.scenario}: ${f.message.split('\n')[0]}`), '');

  push(
    '## Corpus',
    '',
    `Seed ${r.corpus.seed}; length unit: ${r.corpus.unit}; ${r.corpus.sampleSize} texts sampled, mean ${fmt(r.corpus.meanTokens)} tokens. ` +
      `Lengths ${Object.entries(r.corpus.byLength)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}; categories ${Object.entries(r.corpus.byCategory)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}. ` +
      'Every model test sends unique texts (a numbered reference appended), so no request of (1), (2), (3), (7) or (8) is a cache hit.',
    '',
    ...table(
      ['whitespace tokens', 'texts', 'share'],
      r.corpus.histogram.map((b) => [b.range, String(b.count), `${fmt(b.share * 100)} %`]),
    ),
    '',
  );

  const { ceiling, service, coalescing, cache, conversations, soak, tuning } = r.results;
  if (ceiling) {
    push('## (1) Ceiling — standalone worker threads, no HTTP/Redis', '');
    for (const sweep of [ceiling.int8, ceiling.fp32]) {
      if (!sweep) continue;
      push(
        `${sweep.modelId} (load ${sweep.loadMs} ms for the pool); best: workers ${sweep.best.workers} × batch ${sweep.best.batch}${sweep.best.grouped ? ' grouped' : ''} = **${fmt(sweep.best.textsPerSecond)} texts/s**`,
        '',
        ...table(
          ['workers', 'batch', 'grouped by length', 'texts/s', 'batch p50 ms', 'mean padded tokens'],
          sweep.grid.map((m) => [
            String(m.workers),
            String(m.batch),
            m.grouped ? 'yes' : 'no',
            fmt(m.textsPerSecond),
            fmt(m.batchP50Ms),
            fmt(m.meanSequenceLength),
          ]),
        ),
        '',
      );
    }
  }
  if (service) {
    push(
      `## (2) Service vs (1) ceiling vs (3) seed design — unique texts, ${service.connections} connections`,
      '',
      `Interleaved order: ${service.order.map((arms) => arms.join('→')).join(' | ')}; ${fmt(service.durationMs / 1000)} s per arm after ${fmt(service.warmupMs / 1000)} s warm-up in the same run. Median (min–max) over rounds.`,
      '',
      ...table(
        [
          'arm',
          'req/s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'inference ms',
          'CPU % (of 1 core)',
          'machine CPU %',
          'RSS max MiB',
          'failed',
        ],
        [
          [
            '(1) ceiling int8',
            range(service.ceilingTextsPerSecond),
            '',
            '',
            '',
            `${range(service.ceilingBatchP50Ms)} (batch p50)`,
            range(service.ceilingCpuPercent, 0),
            range(service.ceilingMachineCpuPercent, 0),
            '',
            '',
          ],
          ...(['service', 'seed'] as const).map((arm) => {
            const a = service[arm];
            return [
              arm === 'service' ? '(2) service' : '(3) seed design',
              range(a.throughput),
              range(a.p50),
              range(a.p95),
              range(a.p99),
              `${range(a.meanInferenceMs)} (mean)`,
              range(a.cpuPercent, 0),
              range(a.machineCpuPercent, 0),
              range(a.rssMbMax, 0),
              String(a.failures),
            ];
          }),
        ],
      ),
      '',
      `Ratios (paired by round): (2)/(1) ${range(service.ratios.serviceToCeiling, 2)}; throughput (2)/(3) ${range(service.ratios.throughputServiceToSeed, 2)}; p95 (2)/(3) ${range(service.ratios.p95ServiceToSeed, 2)}.`,
      `After each service arm the load generator closed its connections, yet the service went on working: ${(
        ['service', 'seed'] as const
      )
        .map(
          (arm) =>
            `${arm} ${service[arm].rounds.map((r) => `${r.drain.inferences} inferences in ${fmt(r.drain.ms, 0)} ms`).join(', ')}`,
        )
        .join('; ')} (requests of clients that had gone; the suite waits for this before the next arm).`,
      service.service.workerBusyPercent
        ? `Service inference workers were busy ${range(service.service.workerBusyPercent, 0)} % of the window (Σ inference time ÷ window × workers; the rest they waited for the event loop to hand them the next text), and one inference took ${fmt(service.service.meanInferenceMs.median)} ms on average in a service worker vs ${fmt((service.ceilingConfig.workers * 1000) / service.ceilingTextsPerSecond.median)} ms per text in the ceiling (workers ÷ texts/s; its batch p50 is ${fmt(service.ceilingBatchP50Ms.median)} ms): in the service the workers share the cores with the event loop, Redis and the load generator, and the event loop runs first (ML_WORKER_NICE). The seed's "inference ms" is wall time on its one thread, including waiting behind the other inferences.`
        : '',
      '',
      `### (4) Responsiveness under saturation (open-loop probes at ${r.plan.service.probeRatePerSecond}/s each, own connections)`,
      '',
      ...table(
        ['while', 'route', 'samples', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'per-round p99', 'errors'],
        (['service', 'seed'] as const).flatMap((arm) =>
          (['cachedProbe', 'liveProbe'] as const).map((probe) => {
            const p = service[arm][probe];
            return [
              arm === 'service' ? '(2) service' : '(3) seed',
              probe === 'cachedProbe' ? 'cached classify' : '/api/health/live',
              String(p.count),
              fmt(p.p50),
              fmt(p.p95),
              fmt(p.p99),
              fmt(p.max),
              range(p.roundP99),
              String(p.errors),
            ];
          }),
        ),
      ),
      '',
    );
  }
  if (coalescing) {
    push(
      `## (5) Coalescing — ${coalescing.simultaneous} simultaneous identical uncached texts`,
      '',
      ...table(
        ['service', 'inferences per round', 'answered from cache', 'failed', 'burst spread ms'],
        [coalescing.service, coalescing.seed].map((arm) => [
          arm.service === 'heavy' ? 'service (ML_COALESCE=true)' : 'seed design (ML_COALESCE=false)',
          arm.rounds.map((x) => x.inferenceDelta).join(', '),
          arm.rounds.map((x) => x.cachedResponses).join(', '),
          arm.rounds.map((x) => x.failures).join(', '),
          arm.rounds.map((x) => fmt(x.spreadMs, 0)).join(', '),
        ]),
      ),
      '',
    );
  }
  if (cache) {
    push(
      `## (6) Cache path vs constant route — ${cache.connections} connections, ${cache.generator}`,
      '',
      ...table(
        ['route', 'req/s', 'p50 ms', 'p99 ms', 'service CPU %', 'failed'],
        (['cached', 'live'] as const).map((arm) => [
          arm === 'cached' ? 'POST /api/ml/classify (one cached text)' : 'GET /api/health/live',
          range(cache[arm].throughput, 0),
          range(cache[arm].p50, 2),
          range(cache[arm].p99, 2),
          range(cache[arm].cpuPercent, 0),
          String(cache[arm].failures),
        ]),
      ),
      '',
      `Cached ÷ live: throughput ${range(cache.ratios.throughputCachedToLive, 2)}, p99 ${range(cache.ratios.p99CachedToLive, 2)}.`,
      '',
    );
  }
  if (conversations) {
    push(
      `## (7) Whole conversations — shipped model (${conversations.modelsDir}), real PostgreSQL`,
      '',
      'Paced participants wait a seeded think time before each message (the target is judged on them); without think',
      'time every participant fires its next turn the moment the reply lands: a stress test whose latency is set by',
      'throughput (p95 ≈ participants ÷ turns per second).',
      '',
      ...table(
        [
          'participants',
          'think time',
          'conv/s',
          'req/s',
          'turn p50 ms',
          'turn p95 ms',
          'greeting p95',
          'complaint p95',
          'answer p95',
          'email p95',
          'errors',
          'rows complete',
          'CPU %',
          'machine CPU %',
          'RSS max MiB',
        ],
        conversations.levels.map((l) => [
          String(l.participants),
          describeThink(l.thinkMs),
          fmt(l.conversationsPerSecond),
          fmt(l.requestsPerSecond, 0),
          fmt(l.turnLatencyMs.p50),
          fmt(l.turnLatencyMs.p95),
          fmt(l.byKindMs.greeting.p95),
          fmt(l.byKindMs.complaint.p95),
          fmt(l.byKindMs.answer.p95),
          fmt(l.byKindMs.email.p95),
          String(l.errors),
          `${l.rows.complete}/${l.rows.checked}`,
          fmt(l.usage.cpuPercent, 0),
          fmt(l.usage.machineCpuPercent, 0),
          fmt(l.usage.rssMbMax, 0),
        ]),
      ),
      '',
      `A finished conversation must be stored completed at step 7 with its e-mail, a label and ${conversations.expectedTurns} turns (greeting + 7 × message/reply; /closing not called).`,
      ...conversations.levels.flatMap((l) => [
        ...l.errorExamples.map((e) => `- error at ${l.participants} (${describeThink(l.thinkMs)}): ${e}`),
        ...l.rows.examples.map((e) => `- row problem at ${l.participants} (${describeThink(l.thinkMs)}): ${e}`),
      ]),
      '',
    );
  }
  if (tuning) {
    push(
      `## Tuning — one setting changed at a time from (2)'s heavy profile, heavy int8 model, unique texts, ${tuning.connections} connections`,
      '',
      'Interleaved with the profile round by round; ratios are paired by round (variant ÷ profile). Probes as in (4).',
      '',
      ...table(
        [
          'service',
          'changed',
          'req/s',
          'vs profile',
          'p95 ms',
          'p95 vs profile',
          'inference ms',
          'workers busy %',
          'cached probe p99 ms',
          'live probe p99 ms',
          'CPU %',
          'RSS max MiB',
          'failed',
        ],
        tuning.arms.map((arm) => [
          arm.service,
          Object.keys(arm.settings).length
            ? Object.entries(arm.settings)
                .map(([key, value]) => `${key}=${value}`)
                .join(' ')
            : '(profile: ' +
              Object.entries(HEAVY_PROFILE)
                .map(([k, v]) => k + '=' + v)
                .join(' ') +
              ')',
          range(arm.summary.throughput),
          range(arm.throughputVsDefault, 2),
          range(arm.summary.p95),
          range(arm.p95VsDefault, 2),
          range(arm.summary.meanInferenceMs),
          arm.summary.workerBusyPercent ? range(arm.summary.workerBusyPercent, 0) : 'n/a',
          fmt(arm.summary.cachedProbe.p99),
          fmt(arm.summary.liveProbe.p99),
          range(arm.summary.cpuPercent, 0),
          range(arm.summary.rssMbMax, 0),
          String(arm.summary.failures),
        ]),
      ),
      '',
    );
  }
  if (soak) {
    push(
      `## (8) Memory soak — ${fmt(soak.durationMs / 60_000, 0)} min, both services loaded at once, RSS every ${fmt(soak.sampleEveryMs / 1000, 0)} s`,
      '',
      ...table(
        [
          'service',
          'load',
          'throughput /s',
          'failed',
          `RSS at ${fmt(soak.heavy.baselineAtMs / 1000, 0)} s MiB`,
          'RSS end MiB',
          'peak MiB',
          'growth %',
        ],
        [soak.heavy, soak.shipped].map((s) => [
          s.service === 'heavy' ? 'int8 heavy, 2 workers' : 'shipped model',
          s.load,
          fmt(s.throughput),
          String(s.failures),
          fmt(s.baselineRssMb, 0),
          fmt(s.endRssMb, 0),
          fmt(s.peakRssMb, 0),
          fmt(s.growthPercent),
        ]),
      ),
      '',
      `Samples (s: heavy / shipped MiB): ${soak.heavy.samples.map((s, i) => `${fmt(s.atMs / 1000, 0)}: ${fmt(s.rssMb, 0)}/${fmt(soak.shipped.samples[i]?.rssMb ?? Number.NaN, 0)}`).join(', ')}`,
      '',
    );
  }
  push(
    '## Method notes',
    '',
    '- Every measured window follows its own warm-up, which is discarded. Comparisons run their arms interleaved (ABC, CBA, ABC…) and judge the median of per-round paired ratios.',
    '- The heavy model is DistilBERT-shaped (6 layers, hidden 768, 12 heads) with random weights: its labels are meaningless, only its cost is real.',
    '- CPU is user+system time of the service process (all threads) from /proc, as % of one core (200 % = both cores); "machine CPU" is every process on the machine (service, load generator, PostgreSQL, Redis and anyone else\'s work): when it is near 200 % while the service is well below, something outside the service took the CPU. RSS is VmRSS in MiB.',
    "- Latency percentiles are nearest-rank over every response in the window (autocannon per-response times; wrk's own histogram for (6)).",
    '- At saturation Node serves many keep-alive connections unevenly: a bare node:http server doing 0.5 ms of work per request shows the same ~1.4 s p99 under wrk -c100 on this machine. (6) is judged by throughput; its p99 describes that queueing, not the route.',
    "- (2) closed loop at 50 connections: p95 ≈ 50 ÷ throughput by Little's law, so (2) vs (3) p95 mostly restates the throughput ratio; (4) is the latency that matters to a participant.",
    '',
  );
  return lines.join('\n');
}

/** Writes `<dir>/<date>-<name>.json` and `.md` (through .tmp files, so a crash never leaves half a report). */
export function writeReport(dir: string, results: BenchResults): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${results.date}-${results.name}`);
  const files = { json: `${base}.json`, markdown: `${base}.md` };
  writeFileSync(`${files.json}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${files.markdown}.tmp`, renderMarkdown(results));
  renameSync(`${files.json}.tmp`, files.json);
  renameSync(`${files.markdown}.tmp`, files.markdown);
  return files;
}
