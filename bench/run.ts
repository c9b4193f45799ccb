/** `npm run bench [-- --quick] [--only ceiling,cache-path] [--out <dir>]`: the benchmark suite (README.md). */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { recreateTestDatabase, vacuumTestDatabase } from '../test/support/test-database';
import { BENCH_DATABASE, BenchContext, HEAVY_MODELS_DIR, REPO, type ScenarioOutcome } from './context';
import { codeInfo, machineInfo } from './machine-info';
import { MODEL_IDS } from '../tools/model/distilbert/model-ids';
import { planFor, QUICK_SCENARIOS, SCENARIO_NAMES, SCENARIOS, type Plan, type ScenarioName } from './plan';
import { writeReport, type Failure } from './report';
import { formatTarget } from './targets';

/** Scenarios that run without the generated heavy model. */
const SHIPPED_ONLY: readonly ScenarioName[] = ['conversations', 'processes', 'console-panels'];

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

function options(argv: string[]): { plan: Plan; only: ScenarioName[]; outDir: string } {
  const flags = { quick: { type: 'boolean' }, only: { type: 'string' }, out: { type: 'string' } } as const;
  const { values } = parseArgs({ args: argv, options: flags });
  const names = values.only?.split(',').map((name) => name.trim()) ?? [];
  const unknown = names.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown.length)
    throw new Error(`unknown scenario(s) ${unknown.join(', ')}; expected ${SCENARIO_NAMES.join(', ')}`);
  const only = SCENARIO_NAMES.filter((name) => names.includes(name));
  const quick = values.quick === true;
  return {
    plan: planFor(quick ? 'quick' : 'full'),
    only: only.length ? only : [...(quick ? QUICK_SCENARIOS : SCENARIO_NAMES)],
    outDir: path.resolve(values.out ?? path.join(REPO, 'bench', 'results')),
  };
}

/** The heavy model is generated once into bench/.cache (git-ignored); a fresh clone pays ~1 min here. */
function ensureHeavyModel(): void {
  if (Object.values(MODEL_IDS).every((id) => existsSync(path.join(HEAVY_MODELS_DIR, id, 'onnx', 'model.onnx')))) return;
  say('heavy model missing: generating it with tools/model/distilbert/generate-distilbert.ts');
  const generator = path.join(REPO, 'tools', 'model', 'distilbert', 'generate-distilbert.ts');
  execFileSync(process.execPath, ['--require', 'ts-node/register/transpile-only', generator], { stdio: 'inherit' });
}

async function main(): Promise<number> {
  const { plan, ...args } = options(process.argv.slice(2));
  const startedAt = new Date();
  const machine = machineInfo();
  const code = codeInfo();
  say(
    `combot bench (${plan.mode}): ${args.only.join(', ')} on ${machine.cpuModel} × ${machine.cores}, commit ${code.commit.slice(0, 10)}`,
  );
  const stale = code.newerThanBuild.length;
  if (stale) say(`note: ${stale} file(s) under src/ changed after dist/ was built (npm run build measures them)`);
  if (args.only.some((name) => !SHIPPED_ONLY.includes(name))) ensureHeavyModel();
  const ctx = new BenchContext(plan, say);
  const outcomes = new Map<ScenarioName, ScenarioOutcome>();
  const failures: Failure[] = [];
  let cleaned: Promise<void> | null = null;
  const cleanup = (): Promise<void> => (cleaned ??= ctx.cleanup());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    say(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => ctx.killAllNow());

  try {
    await recreateTestDatabase(BENCH_DATABASE);
    for (const name of args.only) {
      if (interrupted) break;
      const begun = Date.now();
      say(`(${name}) …`);
      try {
        await vacuumTestDatabase(BENCH_DATABASE);
        outcomes.set(name, await SCENARIOS[name](ctx));
        say(`(${name}) done in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
      } catch (error) {
        const message = describe(error);
        failures.push({ scenario: name, message });
        say(`(${name}) FAILED: ${message}`);
      }
    }
    if (interrupted) return 130;
    await cleanup();
    const run = { ctx, scenarios: args.only, startedAt, machine, code, outcomes, failures };
    const { results, json, markdown } = writeReport(args.outDir, run);
    say(['', ...results.targets.map(formatTarget)].join('\n'));
    const shown = (file: string): string => path.relative(process.cwd(), file);
    say(`\nwrote ${shown(json)} and ${shown(markdown)} in ${results.wallSeconds.toFixed(0)} s`);
    return failures.length ? 1 : 0;
  } finally {
    if (!interrupted) await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${describe(error)}\n`);
    process.exit(1);
  },
);
