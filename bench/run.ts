/**
 * `npm run bench [-- --quick] [--only service,cache] [--out <dir>]`: issue 6's benchmark suite. Needs the built
 * API (dist/), PostgreSQL and Redis on loopback; generates the heavy model on first use. Every child process is
 * killed and the `combot_bench` database dropped on every exit path, including errors and Ctrl-C.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CeilingPool } from './ceiling/ceiling-pool';
import {
  BenchContext,
  HEAVY_MODEL_ID,
  HEAVY_MODELS_DIR,
  HEAVY_PROFILE,
  SHIPPED_MODEL_ID,
  shippedModelsDir,
} from './context';
import { ComplaintCorpus, CORPUS_SEED, tokenHistogram, whitespaceTokens } from './corpus';
import { dropDatabase, recreateDatabase } from './database';
import { wrkAvailable } from './load/wrk';
import { codeInfo, machineInfo } from './machine-info';
import { MODEL_IDS } from '../tools/model/distilbert/model-ids';
import { planFor, QUICK_SCENARIOS, SCENARIOS, type ScenarioName } from './plan';
import { deleteKeys, runPrefix } from './redis-keys';
import { evaluateTargets, writeReport, type BenchResults, type CorpusInfo } from './report';
import { runCachePath } from './scenarios/cache-path';
import { runCeiling, type CeilingConfig } from './scenarios/ceiling';
import { runTuning } from './scenarios/tuning';
import { runCoalescing } from './scenarios/coalescing';
import { runConversations } from './scenarios/conversations';
import { runMemorySoak } from './scenarios/memory-soak';
import { runService } from './scenarios/service';
import { killAllServicesNow, REPO, stopAllServices } from './service-process';
import { mean } from './stats';

interface Args {
  quick: boolean;
  only: ScenarioName[];
  outDir: string;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: [], outDir: path.join(REPO, 'bench', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--only' && argv[i + 1]) {
      const names = argv[++i].split(',').map((name) => name.trim());
      const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
      if (unknown.length)
        throw new Error(`unknown scenario(s) ${unknown.join(', ')}; expected ${SCENARIOS.join(', ')}`);
      args.only = SCENARIOS.filter((name) => names.includes(name));
    } else if (arg === '--out' && argv[i + 1]) args.outDir = path.resolve(argv[++i]);
    else throw new Error(`unknown argument ${arg} (expected --quick, --only <${SCENARIOS.join(',')}>, --out <dir>)`);
  }
  if (args.only.length === 0) args.only = [...(args.quick ? QUICK_SCENARIOS : SCENARIOS)];
  return args;
}

function corpusInfo(): CorpusInfo {
  const sample = ComplaintCorpus.sample(1000);
  const count = (key: 'length' | 'category'): Record<string, number> =>
    sample.reduce<Record<string, number>>(
      (out, complaint) => ({ ...out, [complaint[key]]: (out[complaint[key]] ?? 0) + 1 }),
      {},
    );
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

/** The heavy model is generated once into bench/.cache (git-ignored); a fresh clone pays ~1 min here. */
function ensureHeavyModel(): void {
  const missing = Object.values(MODEL_IDS).some(
    (id) => !existsSync(path.join(HEAVY_MODELS_DIR, id, 'onnx', 'model.onnx')),
  );
  if (!missing) return;
  say('heavy model missing: generating it with tools/model/distilbert/generate-distilbert.ts');
  execFileSync(
    process.execPath,
    [
      '--require',
      'ts-node/register/transpile-only',
      path.join(REPO, 'tools', 'model', 'distilbert', 'generate-distilbert.ts'),
    ],
    {
      cwd: REPO,
      stdio: 'inherit',
    },
  );
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const plan = planFor(args.quick ? 'quick' : 'full');
  const startedAt = new Date();
  const machine = machineInfo();
  const code = codeInfo();
  say(
    `combot bench (${plan.mode}): ${args.only.join(', ')} on ${machine.cpuModel} × ${machine.cores}, commit ${code.commit.slice(0, 10)}`,
  );
  if (code.newerThanBuild.length) {
    say(
      `note: ${code.newerThanBuild.length} file(s) under src/ changed after dist/ was built (npm run build measures them)`,
    );
  }
  if (args.only.some((name) => name !== 'conversations')) ensureHeavyModel();

  const useWrk = wrkAvailable();
  const prefix = runPrefix();
  const ctx = new BenchContext(plan, prefix, useWrk, say);
  const results: BenchResults['results'] = {};
  const failures: BenchResults['failures'] = [];
  let int8Pool: CeilingPool | null = null;
  let ceilingBest: CeilingConfig | null = null;

  let cleaned: Promise<void> | null = null;
  const cleanup = (): Promise<void> => (cleaned ??= cleanUp());
  const cleanUp = async (): Promise<void> => {
    await stopAllServices().catch((error: unknown) => say(`cleanup: stopping services failed: ${String(error)}`));
    await int8Pool?.dispose().catch(() => undefined);
    int8Pool = null;
    await dropDatabase().catch((error: unknown) => say(`cleanup: dropping the database failed: ${String(error)}`));
    const deleted = await deleteKeys(prefix).catch(() => 0);
    say(`cleanup: services stopped, database dropped, ${deleted} Redis key(s) under ${prefix}* deleted`);
  };
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    say(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', killAllServicesNow);

  try {
    await recreateDatabase();
    const steps: Record<ScenarioName, () => Promise<void>> = {
      ceiling: async () => {
        const { result, int8Pool: pool } = await runCeiling(ctx);
        results.ceiling = result;
        int8Pool = pool;
        ceilingBest = {
          workers: result.int8.best.workers,
          batch: result.int8.best.batch,
          grouped: result.int8.best.grouped,
        };
      },
      service: async () => {
        results.service = await runService(
          ctx,
          int8Pool && ceilingBest ? { pool: int8Pool, config: ceilingBest } : null,
        );
        await int8Pool?.dispose();
        int8Pool = null;
      },
      tuning: async () => void (results.tuning = await runTuning(ctx)),
      coalescing: async () => void (results.coalescing = await runCoalescing(ctx)),
      cache: async () => void (results.cache = await runCachePath(ctx)),
      conversations: async () => void (results.conversations = await runConversations(ctx)),
      soak: async () => void (results.soak = await runMemorySoak(ctx)),
    };
    for (const name of args.only) {
      if (interrupted) break;
      const begun = Date.now();
      say(`(${name}) …`);
      try {
        await steps[name]();
        say(`(${name}) done in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        failures.push({ scenario: name, message });
        say(`(${name}) FAILED: ${message}`);
      }
    }
    if (interrupted) return 130;

    const services = await ctx.serviceConfigs();
    await cleanup();
    const finishedAt = new Date();
    const report: BenchResults = {
      name: plan.mode,
      date: startedAt.toISOString().slice(0, 10),
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      wallSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      machine: { ...machine, loadAverageAtEnd: os.loadavg().map((value) => Number(value.toFixed(2))) },
      code,
      plan,
      scenarios: args.only,
      corpus: corpusInfo(),
      models: {
        heavy: `${HEAVY_MODEL_ID} (${path.relative(REPO, HEAVY_MODELS_DIR)}; DistilBERT-shaped, random weights: labels meaningless, only cost real; service profile: ${Object.entries(
          HEAVY_PROFILE,
        )
          .map(([key, value]) => `${key}=${value}`)
          .join(' ')})`,
        shipped: `${SHIPPED_MODEL_ID} from ${path.relative(REPO, shippedModelsDir())}`,
      },
      loadGenerators: {
        'closed loop (2, 3, 8)': 'autocannon 9 (in-process)',
        'constant requests (6)': useWrk ? 'wrk -t1' : 'autocannon 9 (wrk not installed)',
        'open-loop probes (4)': 'node:http fixed-rate prober',
        'conversations (7, 8)': 'node:http keep-alive participants',
      },
      services,
      serviceStartupMs: ctx.startupMs,
      results,
      failures,
      targets: evaluateTargets(results),
    };
    const files = writeReport(args.outDir, report);
    say(
      `\n${report.targets.map((t) => `${t.status.padEnd(4)} ${t.description}: ${t.measured === null ? 'not run' : `${t.measured.toFixed(2)}${t.unit}`}`).join('\n')}`,
    );
    say(
      `\nwrote ${path.relative(process.cwd(), files.json)} and ${path.relative(process.cwd(), files.markdown)} in ${report.wallSeconds.toFixed(0)} s`,
    );
    return failures.length ? 1 : 0;
  } finally {
    if (!interrupted) await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    killAllServicesNow();
    process.exit(1);
  },
);
