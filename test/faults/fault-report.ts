import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One fault's measurements: a row of the table and of `results/latest.json`. */
export interface FaultRow {
  fault: string;
  /** The spec file's suite that measured it (set by the report). */
  suite?: string;
  /** Participant requests in flight at some point of the fault window. */
  requests: number;
  ok2xx: number;
  unavailable503: number;
  other: number;
  /** What `other` was: status codes, `connection-error`, `timeout`. */
  otherBreakdown: Record<string, number>;
  /** Longest participant request that overlapped the fault window (a timeout counts its full wait). */
  maxLatencyMs: number;
  /** From the end of the fault to the first answered turn, readiness 200, and fault-specific marks. */
  recoveryMs: Record<string, number | null>;
  turns: { acknowledged: number; lost: number; duplicated: number };
  conversations: { started: number; completed: number; interrupted: number; unfinished: number };
  /** Fault-specific figures (p95, jobs, LLM calls, ...). */
  figures: Record<string, number | string | null>;
  /** The assertions that failed, one readable line each. */
  failures: string[];
}

const RESULTS_FILE = path.join(__dirname, 'results', 'latest.json');

interface ResultsFile {
  runId: string;
  finishedAt: string;
  durationSeconds: number;
  commit: string | null;
  node: string;
  /** Each suite's settings, by suite. */
  settings: Record<string, object>;
  rows: FaultRow[];
}

/**
 * The jest process that runs the suites one after another (`--runInBand`): its pid and start time, so a suite
 * adds its rows to those an earlier suite of the same run wrote, and drops those of an older run.
 */
function runId(): string {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return `${process.pid}-${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
  } catch {
    return `${process.pid}`;
  }
}

function earlierSuitesOfThisRun(id: string, suite: string): ResultsFile | null {
  if (!existsSync(RESULTS_FILE)) return null;
  try {
    const previous = JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Partial<ResultsFile>;
    if (previous.runId !== id || !Array.isArray(previous.rows)) return null;
    const { [suite]: _mine, ...settings } = previous.settings ?? {};
    return {
      ...(previous as ResultsFile),
      settings,
      rows: previous.rows.filter((row) => row.suite !== suite),
    };
  } catch {
    return null;
  }
}

function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return 'never';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/**
 * Collects the rows of a suite, prints the table and writes the JSON the README quotes. Suites of one `npm run
 * test:faults` share the file and the table: the last one prints every row of the run.
 */
export class FaultReport {
  readonly rows: FaultRow[] = [];
  private readonly startedAt = Date.now();

  constructor(private readonly suite: string) {}

  add(row: FaultRow): void {
    this.rows.push({ ...row, suite: this.suite });
  }

  static table(rows: FaultRow[]): string {
    const header = [
      'fault',
      'requests',
      '2xx',
      '503',
      'other',
      'max latency',
      'recovered: turn / ready',
      'other recovery marks',
      'lost / dup turns',
      'result',
    ];
    const lines = rows.map((row) => [
      row.fault,
      String(row.requests),
      String(row.ok2xx),
      String(row.unavailable503),
      row.other === 0
        ? '0'
        : `${row.other} (${Object.entries(row.otherBreakdown)
            .map(([kind, count]) => `${kind}×${count}`)
            .join(', ')})`,
      formatMs(row.maxLatencyMs),
      `${formatMs(row.recoveryMs.firstTurn)} / ${formatMs(row.recoveryMs.ready)}`,
      Object.entries(row.recoveryMs)
        .filter(([mark]) => mark !== 'firstTurn' && mark !== 'ready')
        .map(([mark, ms]) => `${mark} ${formatMs(ms)}`)
        .join(', ') || '—',
      `${row.turns.lost} / ${row.turns.duplicated} of ${row.turns.acknowledged}`,
      row.failures.length === 0 ? 'pass' : `FAIL (${row.failures.length})`,
    ]);
    const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
    const render = (cells: string[]): string => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
    return [render(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...lines.map(render)].join(
      '\n',
    );
  }

  /** The table on stdout (not through jest's console, which would decorate it) and the JSON file. */
  write(settings: object): void {
    const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: __dirname, encoding: 'utf8' });
    const id = runId();
    const earlier = earlierSuitesOfThisRun(id, this.suite);
    const durationSeconds = Math.round((Date.now() - this.startedAt) / 1000);
    const result: ResultsFile = {
      runId: id,
      finishedAt: new Date().toISOString(),
      durationSeconds: (earlier?.durationSeconds ?? 0) + durationSeconds,
      commit: commit.status === 0 ? commit.stdout.trim() : null,
      node: process.version,
      settings: { ...earlier?.settings, [this.suite]: settings },
      rows: [...(earlier?.rows ?? []), ...this.rows],
    };
    mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
    const failures = result.rows.flatMap((row) => row.failures.map((failure) => `  ${failure}`));
    process.stdout.write(
      `\nFault-injection results (${this.suite}: ${durationSeconds} s; this run: ${result.durationSeconds} s, written to test/faults/results/latest.json):\n` +
        `${FaultReport.table(result.rows)}\n${failures.length ? `\nFailed assertions:\n${failures.join('\n')}\n` : ''}\n`,
    );
  }
}
