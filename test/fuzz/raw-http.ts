import http from 'node:http';

/** One request as the fuzzer sends it: exact method, path, headers and body bytes, nothing added by a client library. */
export interface RawRequest {
  method: string;
  /** Sent as-is on the request line, so malformed percent-encoding and odd query strings reach the server. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body decoded as UTF-8, for the text checks. */
  text: string;
  elapsedMs: number;
}

/**
 * Node's HTTP agent would pool sockets across requests; one fresh connection per request keeps a request that
 * the server answers early (413 before the body is read) from poisoning the next one on the same socket.
 */
export function sendRaw(port: number, request: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  const started = Date.now();
  // Node frames a body by itself only for methods it expects one on; a GET with a body would go unframed and the
  // server would read the body as a second, broken request.
  const headers = { ...request.headers };
  const framed = Object.keys(headers).some((name) => /^(content-length|transfer-encoding)$/i.test(name));
  if (request.body && !framed) headers['Content-Length'] = String(request.body.length);
  return new Promise((resolve, reject) => {
    let answered = false;
    const outgoing = http.request(
      { host: '127.0.0.1', port, method: request.method, path: request.path, headers, agent: false },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            text: body.toString('utf8'),
            elapsedMs: Date.now() - started,
          });
        });
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => {
      // A server may answer early (413 before reading an oversized body) and close while the body is still being
      // written: the answer counts, the write error does not.
      if (!answered) reject(error);
    });
    outgoing.end(request.body);
  });
}
