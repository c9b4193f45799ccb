/**
 * The run's results as JSON (everything measured) and as a markdown summary: the machine, the targets as
 * PASS/FAIL lines, the corpus, then each scenario's own section in the order they ran.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ComplaintCorpus, CORPUS_SEED, tokenHistogram, whitespaceTokens } from './corpus';
import type { CodeInfo, MachineInfo } from './machine-info';
import { fmt, table } from './markdown';
import type { Mode, Plan, ScenarioName } from './plan';
import { mean } from './stats';
import { formatTarget, type TargetResult } from './targets';

export type CorpusInfo = ReturnType<typeof corpusInfo>;

export interface BenchResults {
  name: Mode;
  date: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: MachineInfo & { loadAverageAtEnd: number[] };
  code: CodeInfo;
  plan: Plan;
  scenarios: ScenarioName[];
  corpus: CorpusInfo;
  models: { heavy: string; shipped: string };
  loadGenerators: Record<string, string>;
  services: Partial<Record<string, Record<string, string>>>;
  serviceStartupMs: Partial<Record<string, number>>;
  /** Each scenario's own result, keyed by its name. */
  results: Partial<Record<ScenarioName, unknown>>;
  failures: { scenario: ScenarioName; message: string }[];
  targets: TargetResult[];
}

/** What the report's corpus section describes: the first 1000 unique texts of the seeded corpus. */
export function corpusInfo() {
  const sample = ComplaintCorpus.sample(1000);
  const count = (key: 'length' | 'category'): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const complaint of sample) out[complaint[key]] = (out[complaint[key]] ?? 0) + 1;
    return out;
  };
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

const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');

export function renderMarkdown(r: BenchResults, sections: string[][]): string {
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
    `- Load: ${Object.entries(r.loadGenerators)
      .map(([use, tool]) => `${use}: ${tool}`)
      .join('; ')}`,
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
      `Lengths ${counts(r.corpus.byLength)}; categories ${counts(r.corpus.byCategory)}. ` +
      'Every model test sends unique texts (a numbered reference appended), so no request of the ceiling, service, conversation or soak scenarios is a cache hit.',
    '',
    ...table(r.corpus.histogram, [
      ['whitespace tokens', (b) => b.range],
      ['texts', (b) => String(b.count)],
      ['share', (b) => `${fmt(b.share * 100)} %`],
    ]),
    '',
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

/** Writes `<dir>/<date>-<mode>.json` and `.md` (through .tmp files, so a crash never leaves half a report). */
export function writeReport(
  dir: string,
  results: BenchResults,
  sections: string[][],
): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${results.date}-${results.name}`);
  const files = { json: `${base}.json`, markdown: `${base}.md` };
  writeFileSync(`${files.json}.tmp`, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(`${files.markdown}.tmp`, renderMarkdown(results, sections));
  renameSync(`${files.json}.tmp`, files.json);
  renameSync(`${files.markdown}.tmp`, files.markdown);
  return files;
}
