import { StartupError } from './startup.error';
import { listenFailure } from './listen-failure';

/** An error as `server.listen` gives it: a code and the system call that failed. */
function listenError(code: string, syscall = 'listen'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code}`), { code, syscall });
}

describe('listenFailure', () => {
  const http = { host: '0.0.0.0', port: 8000 };

  it('names PORT for a port that is taken or privileged', () => {
    expect(listenFailure(listenError('EADDRINUSE'), http)?.message).toBe(
      'PORT=8000: 0.0.0.0:8000 is already in use (EADDRINUSE)',
    );
    expect(listenFailure(listenError('EACCES'), http)?.message).toBe(
      'PORT=8000: 0.0.0.0:8000 needs privileges this process does not have (EACCES)',
    );
  });

  it('names HOST for a host that does not resolve or is no address of this machine, exit 78', () => {
    const unresolvable = listenFailure(listenError('ENOTFOUND', 'getaddrinfo'), { host: '999.1.1.1', port: 8000 });
    expect(unresolvable).toBeInstanceOf(StartupError);
    expect(unresolvable?.exitCode).toBe(78);
    expect(unresolvable?.message).toBe(
      'HOST=999.1.1.1: is neither an IP address nor a name that resolves (getaddrinfo ENOTFOUND)',
    );
    const elsewhere = listenFailure(listenError('EADDRNOTAVAIL'), { host: '192.0.2.1', port: 8000 });
    expect(elsewhere?.exitCode).toBe(78);
    expect(elsewhere?.message).toBe('HOST=192.0.2.1: is not an address of this machine (EADDRNOTAVAIL)');
  });

  it('waits (exit 69) for a name server that did not answer: the name may resolve on the next start', () => {
    const failure = listenFailure(listenError('EAI_AGAIN', 'getaddrinfo'), { host: 'api.internal', port: 8000 });
    expect(failure?.exitCode).toBe(69);
    expect(failure?.message).toBe('HOST=api.internal: the name server did not answer (getaddrinfo EAI_AGAIN)');
  });

  it('leaves any other error to the stack trace a developer needs', () => {
    expect(listenFailure(new Error('boom'), http)).toBeNull();
    expect(listenFailure(listenError('EMFILE'), http)).toBeNull();
    expect(listenFailure(null, http)).toBeNull();
  });
});
