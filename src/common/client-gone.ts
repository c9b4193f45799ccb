import type { ServerResponse } from 'node:http';

/**
 * Aborts when the connection closes before the response was sent (the participant closed the tab, the
 * load balancer gave up): work still queued for that request can then be dropped instead of done for nobody.
 */
export function clientGoneSignal(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
