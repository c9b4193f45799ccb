import cluster from 'node:cluster';

/**
 * Whether this process says what every process of the service would say alike (start-up advice about the study
 * file, say), so a cluster of `API_PROCESSES` prints it once and not once per process. True outside a cluster and in
 * the cluster's first forked process: the primary forks it alone and waits until it listens before forking the
 * others, and node:cluster numbers forks from 1, so its id is 1. A replacement gets a new id and stays quiet: the
 * advice was given when the cluster started.
 */
export function isFirstProcess(worker: { id: number } | undefined = cluster.worker): boolean {
  return worker === undefined || worker.id === 1;
}
