/** A keep-alive JSON client with its own pool; latency from request queued to body read (socket waits count). */
import http from 'node:http';

export type JsonResponse<T = unknown> = { status: number; body: T; ms: number };

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly url: URL;
  private readonly timeoutMs = 30_000;

  constructor(baseUrl: string, connections: number) {
    this.url = new URL(baseUrl);
    if (this.url.hostname !== '127.0.0.1') throw new Error(`benchmark load targets 127.0.0.1 only, not ${baseUrl}`);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  request<T = unknown>(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<JsonResponse<T>> {
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    const headers =
      body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const { hostname: host, port } = this.url;
      const request = http.request(
        { host, port, method, path, agent: this.agent, timeout: this.timeoutMs, headers },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const ms = performance.now() - started;
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text for the error report
            }
            resolve({ status: response.statusCode ?? 0, body: parsed as T, ms });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out after ${this.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  get = <T = unknown>(path: string) => this.request<T>('GET', path);
  post = <T = unknown>(path: string, payload: unknown) => this.request<T>('POST', path, payload);

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `use` with a client of `connections` sockets to `baseUrl`, and closes it. */
export async function withClient<T>(baseUrl: string, connections: number, use: (client: HttpClient) => Promise<T>) {
  const client = new HttpClient(baseUrl, connections);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}
