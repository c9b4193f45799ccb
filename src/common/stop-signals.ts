/**
 * The signals that stop a process of the service, each with a drain: a supervisor's SIGTERM, Ctrl-C, a closed
 * terminal. The API, its cluster's primary and the worker all handle the same ones.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
