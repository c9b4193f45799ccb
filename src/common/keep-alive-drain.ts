import { type BeforeApplicationShutdown, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';

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

  private track(response: ServerResponse): void {
    if (this.draining) {
      closeAfter(response);
      return;
    }
    this.inFlight.add(response);
    response.once('close', () => {
      this.inFlight.delete(response);
      // A response that began before the drain kept its connection alive: it is idle once the response has gone.
      if (this.draining) setImmediate(() => this.server.closeIdleConnections());
    });
  }
}

function closeAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}

/**
 * How long connections may go on being served, each response saying `Connection: close`, before the server stops
 * accepting and closes the idle ones. A client busy on a connection sends its next request within this time and
 * is told to close; closed at once, a connection its client was reusing that instant would be reset under it.
 */
export const KEEP_ALIVE_DRAIN_GRACE_MS = 500;

/**
 * The drain in the HTTP application's lifecycle: it tracks responses from the start, and on shutdown (before Nest
 * closes the server) tells clients to close and gives busy connections the grace period to hear it.
 */
@Injectable()
export class HttpDrain implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private drain: KeepAliveDrain | null = null;
  private server: Server | null = null;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.server = (this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined) ?? null;
    if (this.server) this.drain = new KeepAliveDrain(this.server);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const { drain, server } = this;
    if (!drain || !server) return;
    drain.start();
    const open = await new Promise<number>((resolve) =>
      server.getConnections((error, count) => resolve(error ? 0 : count)),
    );
    if (open === 0) return;
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(KEEP_ALIVE_DRAIN_GRACE_MS, this.config.http.shutdownTimeoutMs)),
    );
  }
}
