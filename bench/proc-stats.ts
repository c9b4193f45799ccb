/** CPU and memory of a process or its tree from /proc: threads included, no cooperation; CPU % is of one core. */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { childPids } from '../test/support/private-postgres';

/** USER_HZ: clock ticks per second of /proc/<pid>/stat times (100 on practically every Linux). */
const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user + system CPU seconds the process (all its threads) has used so far. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // From field 3 (state) on: field 2 (comm) may contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

/** `root` and every process below it. */
export function processTree(root: number): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...childPids(tree[i]));
  return tree;
}

/** Σ read(pid) over `pids`; the first (the root) must be readable, a descendant that exited meanwhile counts 0. */
function sumOver(pids: number[], read: (pid: number) => number): number {
  return pids.reduce((total, pid, index) => {
    try {
      return total + read(pid);
    } catch (error) {
      if (index === 0) throw error;
      return total;
    }
  }, 0);
}

/** RSS now (VmRSS) and its peak since the process started (VmHWM), in MiB. */
export function memory(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Proportional set size in MiB: pages shared with other processes (the node binary) count by their share. */
export const pssMb = (pid: number): number =>
  Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) / 1024;

/** MiB of resident pages of `pids`, each counted once (what a memory limit charges); null unless root (pagemap). */
export function distinctResidentMb(pids: number[]): number | null {
  const frames = new Set<number>();
  const entries = Buffer.alloc(8 * 4096);
  for (const pid of pids) {
    const fd = openSync(`/proc/${pid}/pagemap`, 'r');
    try {
      for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').trim().split('\n')) {
        const [start, end] = line.split(/[- ]/, 2).map((hex) => Number.parseInt(hex, 16) / 4096);
        if (end > 2 ** 35) continue; // above user space: [vsyscall]
        for (let page = start; page < end; page += 4096) {
          const read = readSync(fd, entries, 0, 8 * Math.min(4096, end - page), page * 8);
          for (let at = 0; at < read; at += 8) {
            const high = entries.readUInt32LE(at + 4); // bit 63: present; bits 0-54: the page frame number
            if (high & 0x80000000) frames.add((high & 0x7fffff) * 2 ** 32 + entries.readUInt32LE(at));
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }
  return frames.size === 0 || frames.has(0) ? null : (frames.size * 4096) / 2 ** 20;
}

/** Machine-wide busy and steal jiffies (all cores) from /proc/stat. */
function machineTicks(): { busy: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return { busy: user + nice + system + irq + softirq, steal: steal ?? 0 };
}

export type UsageWindow = ReturnType<UsageMeter['stop']>;

/** CPU (start/end totals) and RSS (sampled; a tree's is the sum of VmRSS) of a process or its tree over a window. */
export class UsageMeter {
  private readonly startedAt = performance.now();
  private readonly startCpu: number;
  private readonly startMachine = machineTicks();
  private readonly startBench = process.cpuUsage();
  private rssMax = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    private readonly tree = false,
    sampleMs = 500,
  ) {
    this.startCpu = this.cpu();
    this.sample();
    this.timer = setInterval(() => this.sample(), sampleMs);
  }

  private readonly pids = (): number[] => (this.tree ? processTree(this.pid) : [this.pid]);
  private readonly cpu = (): number => sumOver(this.pids(), cpuSeconds);
  private readonly rss = (): number => sumOver(this.pids(), (pid) => memory(pid).rssMb);

  private sample(): void {
    try {
      this.rssMax = Math.max(this.rssMax, this.rss());
    } catch {
      // the process exited; the caller notices through its own checks
    }
  }

  stop() {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const rssMbEnd = this.rss();
    this.rssMax = Math.max(this.rssMax, rssMbEnd);
    const machine = machineTicks();
    const bench = process.cpuUsage(this.startBench);
    const percentOfTicks = (ticks: number): number => (ticks / TICKS_PER_SECOND / seconds) * 100;
    return {
      /** Mean CPU of the service over the window, percent of one core. */
      cpuPercent: ((this.cpu() - this.startCpu) / seconds) * 100,
      /** All processes on the machine (service, this load generator, PostgreSQL, Redis, anyone else's work). */
      machineCpuPercent: percentOfTicks(machine.busy - this.startMachine.busy),
      /** This benchmark process: load generator and probes. */
      benchCpuPercent: ((bench.user + bench.system) / 1e6 / seconds) * 100,
      /** CPU the hypervisor gave to other guests while we waited (steal). */
      stealPercent: percentOfTicks(machine.steal - this.startMachine.steal),
      rssMbEnd,
      rssMbMax: this.rssMax,
    };
  }
}
