/**
 * CPU time and memory of another process (the service under test), read from Linux /proc so worker threads are
 * included and the service needs no cooperation. CPU percent is of one core: 200 % is both cores of this machine.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** USER_HZ: clock ticks per second of /proc/<pid>/stat times (100 on practically every Linux). */
const TICKS_PER_SECOND = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user + system CPU seconds the process (all its threads) has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces and parentheses: count fields from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime + stime
}

/** RSS now (VmRSS) and its peak since the process started (VmHWM), in MiB. */
export function memory(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** Machine-wide busy and steal jiffies (all cores) from /proc/stat. */
function machineTicks(): { busy: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not busy.
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return { busy: user + nice + system + irq + softirq, steal: steal ?? 0 };
}

export interface UsageWindow {
  /** Mean CPU of the service over the window, percent of one core. */
  cpuPercent: number;
  /** All processes on the machine (service, this load generator, PostgreSQL, Redis, anyone else's work). */
  machineCpuPercent: number;
  /** This benchmark process: load generator and probes. */
  benchCpuPercent: number;
  /** CPU the hypervisor gave to other guests while we waited (steal). */
  stealPercent: number;
  rssMbEnd: number;
  rssMbMax: number;
}

/** Measures one process over a window: CPU from start/end totals, RSS sampled every `sampleMs`. */
export class UsageMeter {
  private readonly startedAt = performance.now();
  private readonly startCpu: number;
  private readonly startMachine = machineTicks();
  private readonly startBench = process.cpuUsage();
  private rssMax = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    sampleMs = 500,
  ) {
    this.startCpu = cpuSeconds(pid);
    this.sample();
    this.timer = setInterval(() => this.sample(), sampleMs);
  }

  private sample(): void {
    try {
      this.rssMax = Math.max(this.rssMax, memory(this.pid).rssMb);
    } catch {
      // the process exited; the caller notices through its own checks
    }
  }

  stop(): UsageWindow {
    clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1000;
    const end = memory(this.pid);
    this.rssMax = Math.max(this.rssMax, end.rssMb);
    const machine = machineTicks();
    const bench = process.cpuUsage(this.startBench);
    const percentOfTicks = (ticks: number): number => (ticks / TICKS_PER_SECOND / seconds) * 100;
    return {
      cpuPercent: ((cpuSeconds(this.pid) - this.startCpu) / seconds) * 100,
      machineCpuPercent: percentOfTicks(machine.busy - this.startMachine.busy),
      benchCpuPercent: ((bench.user + bench.system) / 1e6 / seconds) * 100,
      stealPercent: percentOfTicks(machine.steal - this.startMachine.steal),
      rssMbEnd: end.rssMb,
      rssMbMax: this.rssMax,
    };
  }
}
