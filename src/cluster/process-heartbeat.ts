import cluster, { type Worker } from 'node:cluster';

/**
 * The HTTP processes' heartbeat to the cluster's primary. A process whose event loop is blocked (a runaway loop, a
 * synchronous call that never returns) or that was stopped (SIGSTOP) keeps its share of the port: the cluster goes
 * on handing it connections that hang. The primary cannot see that from the process being alive, so each process
 * says it is alive from its event loop, and the primary replaces one that stays silent.
 */
const HEARTBEAT = 'combot:heartbeat';
export const HEARTBEAT_EVERY_MS = 1_000;

/** In an HTTP process, once it serves: a heartbeat every second from the event loop. */
export function sendHeartbeats(): void {
  if (!cluster.isWorker) return;
  const beat = (): void => void process.send?.({ type: HEARTBEAT });
  beat();
  setInterval(beat, HEARTBEAT_EVERY_MS).unref();
}

/**
 * In the primary: calls `onStalled` once for a process that has sent a heartbeat and then none for `stallAfterMs`.
 * A process still starting is not watched until its first heartbeat (model loading may take a while). Returns a
 * function that stops watching (at shutdown, when processes drain and stop beating on purpose).
 */
export function watchHeartbeats(
  stallAfterMs: number,
  onStalled: (worker: Worker, silentMs: number) => void,
): () => void {
  const lastBeat = new Map<Worker, number>();
  const onMessage = (worker: Worker, message: unknown): void => {
    if (typeof message === 'object' && message !== null && (message as { type?: unknown }).type === HEARTBEAT) {
      lastBeat.set(worker, Date.now());
    }
  };
  const onExit = (worker: Worker): void => void lastBeat.delete(worker);
  cluster.on('message', onMessage);
  cluster.on('exit', onExit);
  const check = setInterval(
    () => {
      const now = Date.now();
      for (const [worker, at] of lastBeat) {
        if (now - at < stallAfterMs) continue;
        lastBeat.delete(worker);
        onStalled(worker, now - at);
      }
    },
    Math.min(HEARTBEAT_EVERY_MS, stallAfterMs),
  );
  check.unref();
  return () => {
    clearInterval(check);
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    lastBeat.clear();
  };
}
