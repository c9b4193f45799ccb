/** What the numbers came from: machine, runtime, code version, and whether the build matches the sources. */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, SERVICE_ENTRY } from './context';

export type MachineInfo = ReturnType<typeof machineInfo>;
export type CodeInfo = ReturnType<typeof codeInfo>;

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export const loadAverage = (): number[] => os.loadavg().map((value) => Number(value.toFixed(2)));

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: loadAverage(),
  };
}

function filesNewerThan(dir: string, mtimeMs: number): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => !file.endsWith('.spec.ts') && statSync(file).isFile() && statSync(file).mtimeMs > mtimeMs)
    .map((file) => path.relative(REPO, file));
}

export function codeInfo() {
  let newerThanBuild: string[] = [];
  try {
    newerThanBuild = filesNewerThan(path.join(REPO, 'src'), statSync(path.join(REPO, SERVICE_ENTRY)).mtimeMs).sort();
  } catch {
    // no build: starting a service reports it
  }
  const status = git(['status', '--porcelain']);
  return {
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    /** Files changed against the commit, and under src/ after dist/ was built: others edit the tree meanwhile. */
    uncommittedFiles: status ? status.split('\n').length : 0,
    newerThanBuild,
  };
}
