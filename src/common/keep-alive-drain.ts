import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * How long connections go on being served, each response saying `Connection: close`, before the server stops
 * accepting and closes the idle ones. A client busy on a connection sends its next request within this time and
 * is told to close; closed at once, a connection its client was reusing that instant would be reset under it.
 */
export const KEEP_ALIVE_DRAIN_GRACE_MS = 500;

/**
 * Lets an HTTP server's keep-alive connections go at shutdown. Node's `server.close()` stops accepting connections
 * and closes those idle at that instant, but a connection its client keeps busy is served on and on until the
 * process cuts it at its deadline, with whatever request is then in flight. Once `start()` is called, every
 * response not yet begun says `Connection: close` (Node then ends the connection after it, and the client sends
 * its next request on a new one, to another process or replica), and a connection whose response had already begun
 * is closed as soon as that response has ended.
 */
export class KeepAliveDrain {
  private draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  constructor(private readonly server: Server) {
    // Before the application's own listener, so a response it ends synchronously is still tracked.
    server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => this.track(response));
  }

  /** From now on, connections are closed after their response. */
  start(): void {
    if (this.draining) return;
    this.draining = true;
    for (const response of this.inFlight) closeAfter(response);
  }

  /**
   * Starts the drain and waits `graceMs` while any connection is open, so busy clients hear `Connection: close`
   * before the server stops accepting and closes what is idle.
   */
  async drain(graceMs: number): Promise<void> {
    this.start();
    const open = await new Promise<number>((resolve) =>
      this.server.getConnections((error, count) => resolve(error ? 0 : count)),
    );
    if (open > 0 && graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
  }

  /** Requests received whose response has not ended (or whose connection has not closed). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private track(response: ServerResponse): void {
    if (this.draining) closeAfter(response);
    this.inFlight.add(response);
    response.once('close', () => {
      this.inFlight.delete(response);
      // A response that began before the drain (its headers already out) kept its connection alive. Once the server
      // has stopped accepting, its connection is idle and closed now; during the grace it is left to the client,
      // like every other idle one, as closing idle connections then would reset those being reused.
      if (this.draining && !this.server.listening) setImmediate(() => this.server.closeIdleConnections());
    });
  }
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}
