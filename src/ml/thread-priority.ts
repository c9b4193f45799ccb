import { readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Lowers the calling thread's CPU priority by `niceness` (Linux). An inference worker calls it before it
 * loads its session, so ONNX's own threads, created from it, inherit it too. With every core busy inferring,
 * the kernel then runs the event loop (HTTP, Redis, PostgreSQL replies) first and inference in the time left:
 * health probes and cached answers stay fast under saturation, and inference loses only what the loop uses.
 * Returns the niceness applied, or null where threads cannot be addressed (not Linux) or niceness is 0.
 */
export function lowerThreadPriority(niceness: number): number | null {
  if (niceness <= 0) return null;
  try {
    // Node exposes no gettid(); /proc/thread-self links to /proc/<pid>/task/<tid>.
    const tid = Number(path.basename(readlinkSync('/proc/thread-self')));
    if (!Number.isInteger(tid) || tid <= 0) return null;
    // setpriority(PRIO_PROCESS, tid) on Linux changes that one thread, not the process.
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + niceness));
    return os.getPriority(tid);
  } catch {
    return null;
  }
}
