import { StartupError } from './startup.error';

/** EX_UNAVAILABLE: a cause outside the service that may pass (as for an unreachable database). */
const UNAVAILABLE = 69;

/** Why listening failed, by the error's code: the setting to fix, the problem, and whether waiting may help. */
const FAILURES: Record<string, { key: 'PORT' | 'HOST'; problem: string; exitCode?: number }> = {
  EADDRINUSE: { key: 'PORT', problem: 'is already in use' },
  EACCES: { key: 'PORT', problem: 'needs privileges this process does not have' },
  EADDRNOTAVAIL: { key: 'HOST', problem: 'is not an address of this machine' },
  ENOTFOUND: { key: 'HOST', problem: 'is neither an IP address nor a name that resolves' },
  EAI_AGAIN: { key: 'HOST', problem: 'the name server did not answer', exitCode: UNAVAILABLE },
};

/**
 * A listener that cannot be set up for a reason the operator fixes in a setting (a port taken or privileged, a host
 * that is no address of this machine or does not resolve): one line naming the setting, exit 78 (69 while the name
 * server does not answer); null for any other error, whose stack is what a developer needs.
 */
export function listenFailure(error: unknown, http: { host: string; port: number }): StartupError | null {
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  const failure = code === undefined ? undefined : FAILURES[code];
  if (failure === undefined) return null;
  const { host, port } = http;
  const cause = syscall === 'getaddrinfo' ? `getaddrinfo ${code}` : code;
  const message =
    failure.key === 'PORT'
      ? `PORT=${port}: ${host}:${port} ${failure.problem} (${cause})`
      : `HOST=${host}: ${failure.problem} (${cause})`;
  return new StartupError(message, failure.exitCode);
}
