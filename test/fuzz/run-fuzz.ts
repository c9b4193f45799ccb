import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  FuzzHarness,
  fuzzSettings,
  type GroupOutcome,
  HEAP_GROWTH_BOUND_BYTES,
  type KnownFailure,
} from './fuzz-harness';

/**
 * The long fuzz run (`npm run test:fuzz`): every route group with `FUZZ_RUNS` runs per weight unit (default 5,000:
 * 57,500 cases). Each failure is shrunk, printed with its seed and path, and then only counted, so the run reaches
 * its full count and finds the failures behind the first. The summary (cases per route, statuses seen, failures,
 * time, memory, data safety) is printed and written to test/fuzz/results/latest.json. Exit code 1 when any property
 * failed.
 */
const DATABASE = 'combot_fuzz_long_test';
const DEFAULT_RUNS = 5000;
const RESULTS = path.join(__dirname, 'results', 'latest.json');

const out = (line = ''): boolean => process.stdout.write(`${line}\n`);
const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function main(): Promise<number> {
  // TypeORM prints every failing query with its parameters on console.log; a 500 found once is hit thousands of
  // times in a long run, and the fuzzer reports it itself.
  Object.assign(console, { log: () => undefined });
  const settings = fuzzSettings(DEFAULT_RUNS);
  const started = Date.now();
  out(`fuzz: seed ${settings.seed} (replay with FUZZ_SEED=${settings.seed}), FUZZ_RUNS=${settings.runs} per unit`);

  const harness = await FuzzHarness.start(DATABASE);
  harness.onProgress = (requests) =>
    out(
      `   ${requests} requests, ${((Date.now() - started) / 1000).toFixed(0)} s, RSS ${mb(process.memoryUsage().rss)} MB`,
    );
  let outcomes: GroupOutcome[] = [];
  try {
    await harness.warmUp(5, settings.seed);
    const before = await harness.memoryAfterGc();
    out(`fuzz: baseline heap ${mb(before.heapUsedBytes)} MB, RSS ${mb(before.rssBytes)} MB (${before.collected})`);

    outcomes = [];
    const known: KnownFailure[] = [];
    for (const group of harness.groups()) {
      const runs = Math.max(1, Math.round(settings.runs * group.weight));
      out(`\n== ${group.name}: ${runs} runs`);
      const outcome = await harness.runGroup(group, {
        runs,
        seed: settings.seed,
        path: settings.path,
        continueAfterFailure: true,
        maxFailures: 8,
        known,
      });
      for (const failure of outcome.failures) {
        out(`-- failure in ${group.name} (${failure.rules.join('; ')} @ ${failure.route})`);
        out(failure.report);
      }
      out(`== ${group.name}: ${outcome.runs} runs, ${outcome.requests} requests, ${outcome.seconds.toFixed(1)} s`);
      outcomes.push(outcome);
    }

    const live = await harness.send({ method: 'GET', path: '/api/health/live', headers: {} });
    const ready = await harness.send({ method: 'GET', path: '/api/health/ready', headers: {} });
    const after = await harness.memoryAfterGc();
    const dataSafety = await harness.dataSafety();
    const heapGrowth = after.heapUsedBytes - before.heapUsedBytes;
    const failures = outcomes.flatMap((outcome) => outcome.failures);
    const summary = {
      startedAt: new Date(started).toISOString(),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      seed: settings.seed,
      fuzzRuns: settings.runs,
      node: process.version,
      cases: outcomes.reduce((sum, outcome) => sum + outcome.runs, 0),
      requests: harness.stats.cases + harness.stats.transportErrors,
      transportErrors: harness.stats.transportErrors,
      groups: outcomes.map(({ failures: found, ...rest }) => ({ ...rest, failures: found.length })),
      routes: harness.stats.routeSummaries(),
      failures: failures.map(({ report, ...rest }) => ({ ...rest, report })),
      brokenRules: harness.stats.violationCounts(),
      alive: { live: live.status, ready: ready.status },
      memory: {
        collected: after.collected,
        heapBeforeMb: mb(before.heapUsedBytes),
        heapAfterMb: mb(after.heapUsedBytes),
        heapGrowthMb: mb(heapGrowth),
        heapGrowthBoundMb: mb(HEAP_GROWTH_BOUND_BYTES),
        rssBeforeMb: mb(before.rssBytes),
        rssAfterMb: mb(after.rssBytes),
        peakRssMb: mb(harness.stats.peakRssBytes),
      },
      dataSafety,
    };
    mkdirSync(path.dirname(RESULTS), { recursive: true });
    writeFileSync(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);

    out('\n== summary');
    out(
      `${summary.cases} cases (${summary.requests} requests with shrinking) in ${summary.seconds} s, seed ${summary.seed}`,
    );
    for (const [route, { cases, statuses, maxMs }] of Object.entries(summary.routes)) {
      const seen = Object.entries(statuses)
        .sort(([, a], [, b]) => b - a)
        .map(([status, count]) => `${status} ×${count}`)
        .join(', ');
      out(`  ${route}: ${cases} (max ${maxMs} ms) ${seen}`);
    }
    out(`failures (shrunk): ${failures.length}`);
    for (const failure of failures) out(`  ${failure.group}: ${failure.rules.join('; ')} @ ${failure.route}`);
    out('rules broken (every answer, shown or only counted):');
    for (const [rule, count] of Object.entries(summary.brokenRules)) out(`  ${count} × ${rule}`);
    out(`alive: live ${live.status}, ready ${ready.status}`);
    out(
      `memory: heap ${summary.memory.heapBeforeMb} → ${summary.memory.heapAfterMb} MB after GC (${after.collected}; ` +
        `bound +${summary.memory.heapGrowthBoundMb} MB), RSS ${summary.memory.rssBeforeMb} → ` +
        `${summary.memory.rssAfterMb} MB, peak ${summary.memory.peakRssMb} MB`,
    );
    out(`data safety: ${dataSafety.conversations} conversations, ${dataSafety.problems.length} problems`);
    for (const problem of dataSafety.problems.slice(0, 20)) out(`  ${problem}`);
    out(`written to ${path.relative(process.cwd(), RESULTS)}`);

    const healthy =
      failures.length === 0 &&
      dataSafety.problems.length === 0 &&
      live.status === 200 &&
      ready.status === 200 &&
      heapGrowth < HEAP_GROWTH_BOUND_BYTES;
    return healthy ? 0 : 1;
  } finally {
    await harness.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `fuzz run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(2);
  },
);
