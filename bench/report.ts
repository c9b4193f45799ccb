/** The run's results as JSON (everything measured) and as markdown: machine, targets, corpus, then each section. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MODELS, type BenchContext, type ScenarioOutcome } from './context';
import { ComplaintCorpus, CORPUS_SEED, tokenHistogram, whitespaceTokens } from './corpus';
import { loadAverage, type CodeInfo, type MachineInfo } from './machine-info';
import { fmt, pairs, table } from './markdown';
import type { ScenarioName } from './plan';
import { mean } from './stats';
import { allTargets, formatTarget } from './targets';

type BenchResults = ReturnType<typeof benchResults>;
export type Failure = { scenario: ScenarioName; message: string };

interface Run {
  ctx: BenchContext;
  scenarios: ScenarioName[];
  startedAt: Date;
  machine: MachineInfo;
  code: CodeInfo;
  /** Each scenario that finished, in the order they ran. */
  outcomes: Map<ScenarioName, ScenarioOutcome>;
  failures: Failure[];
}

/** The JSON report: everything the run measured, and on what. */
function benchResults({ ctx, startedAt, machine, outcomes, ...run }: Run) {
  const finishedAt = new Date();
  return {
    name: ctx.plan.mode,
    date: startedAt.toISOString().slice(0, 10),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: { ...machine, loadAverageAtEnd: loadAverage() },
    code: run.code,
    plan: ctx.plan,
    scenarios: run.scenarios,
    corpus: corpusInfo(),
    models: MODELS,
    loadGenerators: {
      'closed loops (service, tuning, cache path, processes, soak)': 'autocannon 9 (in-process)',
      'tail-latency probes': 'node:http fixed-rate open-loop prober',
      conversations: 'node:http keep-alive participants',
      'console panels': 'fetch, one request at a time',
      ceiling: "the runtime's WorkerPoolRunner (dist/), in-process",
    },
    services: ctx.configs,
    serviceStartupMs: ctx.startupMs,
    results: Object.fromEntries([...outcomes].map(([name, outcome]) => [name, outcome.result])),
    failures: run.failures,
    targets: allTargets([...outcomes.values()].flatMap((outcome) => outcome.targets)),
  };
}

/** The first 1000 unique texts of the seeded corpus. */
function corpusInfo() {
  const sample = ComplaintCorpus.sample(1000);
  const count = (key: 'length' | 'category'): Record<string, number> =>
    sample.reduce<Record<string, number>>((out, c) => ({ ...out, [c[key]]: (out[c[key]] ?? 0) + 1 }), {});
  return {
    seed: CORPUS_SEED,
    unit: 'whitespace-separated words (WordPiece tokens run ~1.2–1.4× higher; the model truncates at 128)',
    sampleSize: sample.length,
    meanTokens: mean(sample.map((complaint) => whitespaceTokens(complaint.text))),
    histogram: tokenHistogram(sample.map((complaint) => complaint.text)),
    byLength: count('length'),
    byCategory: count('category'),
  };
}

function renderMarkdown(r: BenchResults, sections: string[][]): string {
  const stale = r.code.newerThanBuild;
  return [
    `# Combot benchmark — ${r.name} — ${r.date}`,
    '',
    `- Machine: ${r.machine.cpuModel}, ${r.machine.cores} cores, ${r.machine.memoryGb} GB RAM, ${r.machine.os}; Node ${r.machine.node}`,
    `- Load average at start / end: ${r.machine.loadAverageAtStart.join(' ')} / ${r.machine.loadAverageAtEnd.join(' ')} (a shared machine: only ratios of interleaved rounds are judged)`,
    `- Commit ${r.code.commit}${r.code.uncommittedFiles ? ` + ${r.code.uncommittedFiles} uncommitted file(s)` : ''}${stale.length ? `; changed under src/ after dist/ was built (not measured): ${stale.slice(0, 6).join(', ')}${stale.length > 6 ? ', …' : ''}` : ''}`,
    `- Wall time ${fmt(r.wallSeconds, 0)} s; scenarios: ${r.scenarios.join(', ')}; ${r.plan.rounds} interleaved rounds per comparison, warm-up excluded from every measurement`,
    `- Heavy model: ${r.models.heavy}`,
    `- Shipped model: ${r.models.shipped}`,
    `- Load: ${pairs(r.loadGenerators, ': ', '; ')}`,
    '',
    '## Targets',
    '',
    ...r.targets.map(formatTarget),
    '',
    ...(r.failures.length
      ? ['## Scenario failures', '', ...r.failures.map((f) => `- ${f.scenario}: ${f.message.split('\n')[0]}`), '']
      : []),
    '## Corpus',
    '',
    `Seed ${r.corpus.seed}; length unit: ${r.corpus.unit}; ${r.corpus.sampleSize} texts sampled, mean ${fmt(r.corpus.meanTokens)} tokens. ` +
      `Lengths ${pairs(r.corpus.byLength, ' ', ', ')}; categories ${pairs(r.corpus.byCategory, ' ', ', ')}. ` +
      'Every model test sends unique texts (a numbered reference appended), so no request of the ceiling, service, conversation or soak scenarios is a cache hit.',
    '',
    ...table(r.corpus.histogram, [
      ['whitespace tokens', (b) => b.range],
      ['texts', (b) => String(b.count)],
      ['share', (b) => `${fmt(b.share * 100)} %`],
    ]),
    ...sections.flat(),
    '## Method notes',
    '',
    '- Every measured window follows its own warm-up, which is discarded. Comparisons run their arms interleaved (ABC, CBA, ABC…) and judge the median of per-round paired ratios.',
    '- The heavy model is DistilBERT-shaped (6 layers, hidden 768, 12 heads) with random weights: its labels are meaningless, only its cost is real.',
    '- CPU is user+system time of the service process (all threads) from /proc, as % of one core (200 % = both cores); "machine CPU" is every process on the machine (service, load generator, PostgreSQL, Redis and anyone else\'s work): when it is near 200 % while the service is well below, something outside the service took the CPU. RSS is VmRSS in MiB.',
    "- Latency percentiles are nearest-rank over every response in the window (autocannon's per-response times).",
    '',
  ].join('\n');
}

/** Writes `<dir>/<date>-<mode>.json` and `.md` through .tmp files, so a crash never leaves half a report. */
export function writeReport(dir: string, run: Run): { results: BenchResults; json: string; markdown: string } {
  const results = benchResults(run);
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${results.date}-${results.name}`);
  const files = { json: `${base}.json`, markdown: `${base}.md` };
  const sections = [...run.outcomes.values()].map((outcome) => outcome.section);
  writeFileSync(`${files.json}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${files.markdown}.tmp`, renderMarkdown(results, sections));
  renameSync(`${files.json}.tmp`, files.json);
  renameSync(`${files.markdown}.tmp`, files.markdown);
  return { results, ...files };
}
