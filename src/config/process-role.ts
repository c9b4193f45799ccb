/** Which process this is (API, worker or CLI): decides whether queue processors attach and models preload. */
export const PROCESS_ROLE = Symbol('PROCESS_ROLE');
export type ProcessRole = 'api' | 'worker' | 'cli';
