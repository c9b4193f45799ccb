import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { Client } from 'pg';
import { deleteKeys } from '../support/redis-keys';
import { startService, freePort, waitForHttp, type ServiceProcess } from '../support/service-process';
import { configuredStudy, studyContentFile } from '../support/study-content';
import { dropTestDatabase, recreateTestDatabase } from '../support/test-database';

/** Which HTTP process answered, over a connection of its own (the cluster hands connections out round-robin). */
function pidOf(baseUrl: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}/api/metrics/performance`, { agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve((JSON.parse(body) as { pid: number }).pid));
    });
    request.on('error', reject);
  });
}

async function pids(baseUrl: string, calls: number): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let i = 0; i < calls; i++) seen.add(await pidOf(baseUrl));
  return seen;
}

const SHUTDOWN_TIMEOUT_MS = 20_000;
const STALL_TIMEOUT_MS = 5_000;

/**
 * API_PROCESSES=2: two HTTP processes share the port; one that dies is replaced; SIGTERM drains them all. They share
 * jobs, schedules and rate limits through Redis (more than one process without it is refused at start).
 */
describe('API cluster (built service, real PostgreSQL and Redis)', () => {
  const DATABASE = 'combot_api_cluster_test';
  const REDIS = { host: '127.0.0.1', port: 6379 };
  const redisPrefix = `combot-test-${randomUUID().slice(0, 8)}`;
  let service: ServiceProcess;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await recreateTestDatabase(DATABASE);
    service = startService({
      PORT: String(await freePort()),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DB_MIGRATE_ON_START: 'true',
      REDIS_HOST: REDIS.host,
      REDIS_PORT: String(REDIS.port),
      REDIS_KEY_PREFIX: redisPrefix,
      QUEUE_PROCESS_IN_API: 'true',
      API_PROCESSES: '2',
      API_PROCESS_STALL_TIMEOUT_MS: String(STALL_TIMEOUT_MS),
      ML_WORKERS: '1',
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      THROTTLE_LIMIT: '0',
      LOG_LEVEL: 'info',
      // A link on a private address: a start-up warning that each process would otherwise repeat.
      STUDY_CONTENT_FILE: studyContentFile((content) => {
        configuredStudy(content);
        (content.brands as Record<string, { surveyUrl: string }>).Lulu.surveyUrl = 'https://10.1.2.3/s';
      }),
    });
    await waitForHttp(service, `${service.baseUrl}/api/health/ready`, 120_000);
    // The first process answers before the second has loaded: the primary says when all of them listen.
    for (let i = 0; i < 240 && !/2 API processes listening/.test(service.output()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }, 150_000);

  afterAll(async () => {
    if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await dropTestDatabase(DATABASE);
    await deleteKeys(REDIS, redisPrefix);
  });

  it('serves from two processes, both migrated onto one database', async () => {
    const seen = await pids(service.baseUrl, 20);
    expect(seen.size).toBe(2);
    expect(seen.has(service.child.pid as number)).toBe(false); // the primary serves nothing itself
    const greeting = await fetch(`${service.baseUrl}/api/random/initial`);
    expect(greeting.status).toBe(200);
  });

  it('says the study file’s start-up warnings once, from the first process, not once per process', () => {
    const warnings = service
      .output()
      .split('\n')
      .filter((line) => line.includes('STUDY CONTENT: Lulu: the survey link is on 10.1.2.3'));
    expect(warnings).toHaveLength(1);
  });

  it('answers a queued job the same from every process', async () => {
    const submitted = await fetch(`${service.baseUrl}/api/ml/classify/async`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Connection: 'close' },
      body: JSON.stringify({ text: 'The parcel never arrived and the tracking stopped a week ago' }),
    });
    expect(submitted.status).toBe(202);
    const { jobId } = (await submitted.json()) as { jobId: string };
    let answers: { status: number; state?: string; label?: string }[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      // Each lookup on a connection of its own, so the cluster hands them to both processes.
      answers = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const response = await fetch(`${service.baseUrl}/api/jobs/ml/${jobId}`, { headers: { Connection: 'close' } });
          const body = (await response.json()) as { state?: string; result?: { label?: string } };
          return { status: response.status, state: body.state, label: body.result?.label };
        }),
      );
      if (answers.every((answer) => answer.state === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(answers).toEqual(Array.from({ length: 6 }, () => ({ status: 200, state: 'completed', label: 'B' })));
  });

  it('answers /api/metrics for the whole service, every process counted, whichever process takes the scrape', async () => {
    /** How many scrapes of /api/metrics the answer counts, read from the request counter's series. */
    const scrapesCounted = async (): Promise<number> => {
      const text = await new Promise<string>((resolve, reject) => {
        const request = http.get(`${service.baseUrl}/api/metrics`, { agent: false }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve(body));
        });
        request.on('error', reject);
      });
      return text
        .split('\n')
        .filter(
          (line) =>
            line.startsWith('combot_http_request_duration_seconds_count{') && line.includes('route="/api/metrics"'),
        )
        .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    };
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) counts.push(await scrapesCounted());
    // Each answer counts every earlier scrape (its own is timed after the text is read), in whichever process it ran.
    expect(counts.slice(1).map((count, i) => count - counts[i])).toEqual([1, 1, 1, 1, 1]);

    // State both processes read from PostgreSQL is counted once, not once per process.
    const text = await (await fetch(`${service.baseUrl}/api/metrics`)).text();
    const gauged = text
      .split('\n')
      .filter((line) => line.startsWith('combot_conversations{'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const [{ count }] = (await db.query<{ count: string }>('SELECT count(*) FROM conversation')).rows;
      expect(gauged).toBe(Number(count));
    } finally {
      await db.end();
    }
  });

  it('has a primary that only supervises: JSON log lines like the processes, each naming its role, and no application loaded', () => {
    const primary = service.child.pid as number;
    const json = service
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; pid: number; role?: string; context: string; msg: string });
    const lines = json.filter((line) => line.pid === primary);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 30,
        role: 'primary',
        context: 'ApiCluster',
        msg: expect.stringMatching(/2 API processes listening/),
      }),
    );
    expect(new Set(lines.map((line) => line.role))).toEqual(new Set(['primary']));
    expect(new Set(json.filter((line) => line.pid !== primary).map((line) => line.role))).toEqual(new Set(['api']));
    // The Nest application, the queues and the model runtime live in the HTTP processes; a primary that loaded
    // them too held ~125 MiB for nothing (Node itself is ~40 MiB). A primary that loads nothing holds 50 MiB on
    // Node 20 and 71-80 MiB on Node 24 (its larger heap reservation): the bound sits between the two cases.
    const rssMiB = Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${primary}/status`, 'utf8'))?.[1]) / 1024;
    expect(rssMiB).toBeLessThan(100);
  });

  /** Sends raw bytes and returns the raw answer (status line, headers, body). */
  function raw(bytes: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(new URL(service.baseUrl).port), '127.0.0.1', () => socket.write(bytes));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers requests Node cannot parse in the JSON error shape, not a bare status line', async () => {
    const badPath = await raw('GET /api/\u00e4 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(badPath).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(badPath.split('\r\n\r\n')[1])).toMatchObject({ statusCode: 400, code: 'HTTP.BAD_REQUEST' });
    const bigHeaders = await raw(`GET /api/health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(bigHeaders).toMatch(/^HTTP\/1\.1 431 /);
    // A browser can be made to send these (a cookie bomb): the answer carries the headers every other answer does.
    for (const answer of [badPath, bigHeaders]) {
      expect(answer).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
      expect(answer).toMatch(/\r\nContent-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n/i);
      expect(answer).toMatch(/\r\nCache-Control: no-store\r\n/i);
    }
    expect(JSON.parse(bigHeaders.split('\r\n\r\n')[1])).toMatchObject({
      statusCode: 431,
      code: 'HTTP.HEADERS_TOO_LARGE',
    });
  });

  it('answers an expectation it cannot meet, and an HTTP/1.1 request without Host, in the JSON error shape', async () => {
    const body = (answer: string): unknown => {
      const [head, rest] = answer.split('\r\n\r\n');
      // Either a Content-Length body or one chunk of a chunked one.
      return JSON.parse(/transfer-encoding: chunked/i.test(head) ? rest.split('\r\n')[1] : rest);
    };
    const expectation = await raw(
      'GET /api/health/live HTTP/1.1\r\nHost: x\r\nExpect: foo\r\nConnection: close\r\n\r\n',
    );
    expect(expectation).toMatch(/^HTTP\/1\.1 417 /);
    expect(expectation).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(body(expectation)).toMatchObject({ statusCode: 417, code: 'HTTP.EXPECTATION_FAILED' });
    const hostless = await raw('GET /api/health/live HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(hostless).toMatch(/^HTTP\/1\.1 400 /);
    expect(body(hostless)).toMatchObject({ statusCode: 400, code: 'HTTP.BAD_REQUEST', requestId: expect.any(String) });
    const twoHosts = await raw('GET /api/health/live HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n');
    expect(twoHosts).toMatch(/^HTTP\/1\.1 400 /);
    expect(body(twoHosts)).toMatchObject({
      statusCode: 400,
      code: 'HTTP.BAD_REQUEST',
      message: 'A request names one Host.',
    });
    // CONNECT (a tunnel through a proxy, which this is not) gets an answer too, not a socket closed in silence.
    const tunnel = await raw('CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n');
    expect(tunnel).toMatch(/^HTTP\/1\.1 405 /);
    expect(tunnel).toMatch(/\r\nX-Content-Type-Options: nosniff\r\n/i);
    expect(body(tunnel)).toMatchObject({ statusCode: 405, code: 'HTTP.METHOD_NOT_ALLOWED' });
    // HTTP/1.0 has no Host requirement.
    expect(await raw('GET /api/health/live HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('replaces a process that dies, and keeps answering meanwhile', async () => {
    const before = await pids(service.baseUrl, 10);
    const [victim] = [...before];
    process.kill(victim, 'SIGKILL');
    // A connection the dead process held is lost with it; once the primary has noticed (its exit event), every
    // new connection goes to the survivor while the replacement loads.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const survivors = await pids(service.baseUrl, 20);
    expect(survivors.size).toBe(1);
    expect(survivors.has(victim)).toBe(false);
    // Scrapes answer throughout: a process still booting is left out of them, never makes them fail.
    const scrapes: number[] = [];
    let after = new Set<number>();
    for (let attempt = 0; attempt < 60 && after.size < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      scrapes.push((await fetch(`${service.baseUrl}/api/metrics`)).status);
      after = await pids(service.baseUrl, 10);
    }
    expect(after.size).toBe(2);
    expect(after.has(victim)).toBe(false);
    expect(scrapes.filter((status) => status !== 200)).toEqual([]);
    expect(service.output()).toMatch(new RegExp(`API process ${victim} exited .*starting a replacement`));
  }, 60_000);

  it('replaces a process that stops answering (SIGSTOP: its event loop silent) once its heartbeats stay away', async () => {
    const [victim] = [...(await pids(service.baseUrl, 10))];
    process.kill(victim, 'SIGSTOP');
    const stoppedAt = Date.now();
    let gone = false;
    for (let i = 0; i < 80 && !gone; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      try {
        process.kill(victim, 0);
      } catch {
        gone = true;
      }
    }
    expect(gone).toBe(true);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(STALL_TIMEOUT_MS - 1_000);
    expect(service.output()).toMatch(new RegExp(`API process ${victim} sent no heartbeat for \\d+ s .*killing it`));
    let after = new Set<number>();
    for (let attempt = 0; attempt < 60 && after.size < 2; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await pids(service.baseUrl, 10);
    }
    expect(after.size).toBe(2);
    expect(after.has(victim)).toBe(false);
  }, 60_000);

  it('drains every process on SIGHUP and exits 0, telling keep-alive clients to close long before the deadline; a second signal and a process that died just before change nothing', async () => {
    const children = await pids(service.baseUrl, 10);
    // A process dies just before the shutdown: the primary must not start its replacement once stopping.
    const [victim] = [...children];
    process.kill(victim, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Four clients keep their keep-alive connections busy through the shutdown: a drain that only waits for idle
    // connections would serve them until SHUTDOWN_TIMEOUT_MS and then cut whatever was in flight.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    let signalled = false;
    let toldToClose = 0;
    const get = (): Promise<boolean> =>
      new Promise((resolve) => {
        const request = http.get(`${service.baseUrl}/api/random/initial`, { agent }, (response) => {
          response.resume();
          response.on('end', () => {
            if (signalled && response.headers.connection === 'close') toldToClose++;
            resolve(true);
          });
        });
        // Refused once the processes stopped listening (or, for a connection the primary accepted in the last
        // instant, reset): the client's loop ends.
        request.on('error', () => resolve(false));
      });
    const client = async (): Promise<void> => {
      while (await get()) {
        /* until the service stops answering */
      }
    };
    const clients = Array.from({ length: 4 }, () => client());
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    signalled = true;
    // A terminal closing (SIGHUP), then the supervisor's SIGTERM while the drain runs.
    service.child.kill('SIGHUP');
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    const drainMs = Date.now() - started;
    await Promise.all(clients);
    agent.destroy();
    for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
    expect(drainMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS / 4);
    expect(toldToClose).toBeGreaterThan(0);
    const output = service.output();
    const stoppingAt = output.lastIndexOf('stopping ');
    expect(stoppingAt).toBeGreaterThan(-1);
    expect(output.slice(stoppingAt)).not.toMatch(/Combot API listening/);
  }, 90_000);
});
