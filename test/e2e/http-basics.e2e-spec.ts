import net, { type AddressInfo } from 'node:net';
import type { OpenAPIObject } from '@nestjs/swagger';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const DATABASE = 'combot_http_basics_test';
const ADMIN_KEY = 'http-basics-admin-key-0123';

describe('HTTP basics (real PostgreSQL)', () => {
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, { BODY_LIMIT: '1kb', ADMIN_API_KEY: ADMIN_KEY });
  }, 60_000);

  afterAll(async () => {
    await testApp.app.close();
    await dropTestDatabase(DATABASE);
  });

  function expectErrorShape(body: Record<string, unknown>, status: number, code: string): void {
    expect(body).toEqual(
      expect.objectContaining({ statusCode: status, code, message: expect.any(String), requestId: expect.any(String) }),
    );
    expect(body.requestId).not.toBe('unknown');
    expect(JSON.stringify(body)).not.toMatch(/\s+at\s.+\(.*:\d+:\d+\)/); // no stack trace
  }

  it('answers /api/health/ and /api/health alike, with the database up (no redirect)', async () => {
    for (const path of ['/api/health/', '/api/health']) {
      const response = await http().get(path).set('X-Api-Key', ADMIN_KEY).expect(200);
      expect(response.body.status).toBe('ok');
      expect(response.body.info.database).toEqual(expect.objectContaining({ status: 'up', mode: 'external' }));
      // Anyone may probe; only the admin key sees more than up or down.
      const anonymous = await http().get(path).expect(200);
      expect(anonymous.body.info.database).toEqual({ status: 'up' });
    }
  });

  it('answers a malformed JSON body with 400 HTTP.MALFORMED_JSON in the JSON error shape', async () => {
    const response = await http()
      .post('/api/health')
      .set('Content-Type', 'application/json')
      .send('{"message": "unterminated')
      .expect(400)
      .expect('Content-Type', /application\/json/);
    expectErrorShape(response.body, 400, 'HTTP.MALFORMED_JSON');
    expect(response.body.message).toMatch(/not valid JSON/);
  });

  it('answers an unknown route with 404 JSON naming the route', async () => {
    const response = await http()
      .get('/api/no-such-route/')
      .expect(404)
      .expect('Content-Type', /application\/json/);
    expectErrorShape(response.body, 404, 'HTTP.NOT_FOUND');
    expect(response.body.message).toContain('/api/no-such-route/');
    // A huge path is quoted in part, not sent back whole.
    const huge = await http()
      .get(`/api/${'a'.repeat(5000)}`)
      .expect(404);
    expect(huge.body.message).toBe(`No route GET /api/${'a'.repeat(95)}… (5005 characters).`);
  });

  it('answers a body over the limit with 413 JSON', async () => {
    const response = await http()
      .post('/api/health/')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ text: 'x'.repeat(5000) }))
      .expect(413);
    expectErrorShape(response.body, 413, 'HTTP.PAYLOAD_TOO_LARGE');
    expect(response.body.message).toContain('1024 bytes');
  });

  it('answers a body declared over the limit with 413 at once, without waiting for its bytes, and closes', async () => {
    const server = testApp.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    for (const length of ['200000', '99999999999']) {
      const started = Date.now();
      const answer = await new Promise<{ text: string; closed: boolean }>((resolve, reject) => {
        let text = '';
        const socket = net.connect(port, '127.0.0.1', () =>
          socket.write(
            `POST /api/random/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`,
          ),
        );
        // Cleared once the server closes: a timer left running would hold jest's process after the test.
        const giveUp = setTimeout(() => {
          socket.destroy();
          resolve({ text, closed: false });
        }, 3000);
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => {
          clearTimeout(giveUp);
          resolve({ text, closed: true });
        });
        socket.on('error', reject);
      });
      expect({ length, status: answer.text.split('\r\n')[0], closed: answer.closed }).toEqual({
        length,
        status: 'HTTP/1.1 413 Payload Too Large',
        closed: true,
      });
      expect(answer.text).toContain('"code":"HTTP.PAYLOAD_TOO_LARGE"');
      expect(answer.text).toMatch(/\r\nconnection: close\r\n/i);
      expect(Date.now() - started).toBeLessThan(3000);
    }
  });

  it('refuses a body with a transfer coding before chunked (gzip, chunked) with 415, and takes plain chunks', async () => {
    const server = testApp.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const body = JSON.stringify({ text: 'my parcel never arrived' });
    const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const answerTo = (transfer: string) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = net.connect(port, '127.0.0.1', () =>
          socket.write(
            `POST /api/ml/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
              `Transfer-Encoding: ${transfer}\r\nConnection: close\r\n\r\n${chunked}`,
          ),
        );
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    // The body is plain JSON: Node's parser would hand it over as if `gzip` were not there, and it would be read.
    const refused = await answerTo('gzip, chunked');
    expect(refused.split('\r\n')[0]).toBe('HTTP/1.1 415 Unsupported Media Type');
    expect(refused).toContain('"code":"HTTP.UNSUPPORTED_ENCODING"');
    expect((await answerTo('chunked')).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('answers Expect: 100-continue with the refusal, not 100 Continue, for a body it refuses by its headers', async () => {
    const server = testApp.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    /** The status lines of what the server sends within `ms`, the body sent only once it says 100 Continue. */
    const statusLines = (head: string, body: string, ms = 1500) =>
      new Promise<string[]>((resolve, reject) => {
        let text = '';
        const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !socket.writableEnded) socket.end(body);
        });
        socket.on('error', reject);
        setTimeout(() => {
          socket.destroy();
          resolve(text.split('\r\n').filter((line) => line.startsWith('HTTP/1.1 ')));
        }, ms);
      });
    const post = (headers: string) =>
      `POST /api/ml/classify HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n${headers}\r\n`;
    expect(await statusLines(post('Content-Type: application/json\r\nContent-Length: 200000\r\n'), '')).toEqual([
      'HTTP/1.1 413 Payload Too Large',
    ]);
    expect(await statusLines(post('Content-Type: text/plain\r\nContent-Length: 5\r\n'), 'hello')).toEqual([
      'HTTP/1.1 415 Unsupported Media Type',
    ]);
    expect(
      await statusLines(post('Content-Type: application/json; charset=latin1\r\nContent-Length: 2\r\n'), '{}'),
    ).toEqual(['HTTP/1.1 415 Unsupported Media Type']);
    const body = JSON.stringify({ text: 42 });
    expect(
      await statusLines(post(`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`), body),
    ).toEqual(['HTTP/1.1 100 Continue', 'HTTP/1.1 400 Bad Request']);
  });

  it('echoes a well-formed X-Request-Id and mints one otherwise', async () => {
    const echoed = await http().get('/api/health/live').set('X-Request-Id', 'trace-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const minted = await http().get('/api/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows configured CORS origins with credentials and no others', async () => {
    const allowed = await http()
      .options('/api/health/')
      .set('Origin', 'http://client.test')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('http://client.test');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const denied = await http().get('/api/health/').set('Origin', 'http://evil.test').expect(200);
    expect(denied.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const page = await http().get('/api/docs').expect(200).expect('Content-Type', /html/);
    // A browser would fetch the page's scripts over https from a plain-http address other than localhost: blank page.
    expect(page.headers['content-security-policy']).not.toMatch(/upgrade-insecure-requests/);
    // Every asset from the app itself: no font or stylesheet from another host (bull-board's page links Google Fonts).
    expect(page.headers['content-security-policy']).toMatch(/font-src 'self' data:;/);
    expect(page.headers['content-security-policy']).toMatch(/style-src 'self' 'unsafe-inline'(;|$)/);
    const spec = await http().get('/api/docs-json').expect(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/health/ready']));
  });

  it('documents every route’s response body and its errors with the error body', async () => {
    const spec = (await http().get('/api/docs-json').expect(200)).body as OpenAPIObject;
    const errorBody = '#/components/schemas/ErrorResponseDto';
    expect(spec.components?.schemas?.ErrorResponseDto).toMatchObject({
      required: ['statusCode', 'code', 'message', 'requestId'],
    });
    const problems: string[] = [];
    for (const [path, item] of Object.entries(spec.paths)) {
      const health = path.startsWith('/api/health');
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        const responses = item[method]?.responses;
        if (!responses) continue;
        const route = `${method.toUpperCase()} ${path}`;
        const documented = Object.entries(responses).map(([status, response]) => ({
          status,
          response: response && !('$ref' in response) ? response : undefined,
        }));
        // A JSON body has its schema; a CSV or text body its media type with a schema all the same.
        const bodies = documented
          .filter(({ status }) => /^2\d\d$/.test(status))
          .flatMap(({ response }) => Object.values(response?.content ?? {}))
          .filter((media) => media.schema);
        if (bodies.length === 0) problems.push(`${route}: no 2xx response with a schema`);
        const errors = documented.filter(({ status }) => /^[45]\d\d$/.test(status));
        if (errors.length === 0 && !health) problems.push(`${route}: no 4xx/5xx documented`);
        for (const { status, response } of errors) {
          const schema = response?.content?.['application/json']?.schema;
          if (!schema || !('$ref' in schema) || schema.$ref !== errorBody) {
            problems.push(`${route} ${status}: not the ErrorResponseDto body`);
          }
          if ((status === '429' || (status === '503' && !health)) && !response?.headers?.['Retry-After']) {
            problems.push(`${route} ${status}: Retry-After not documented`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    const exportQuery = spec.paths['/api/admin/conversations/export'].get?.parameters ?? [];
    expect(exportQuery.map((parameter) => ('name' in parameter ? parameter.name : parameter.$ref))).toEqual([
      'brand',
      'thinkLevel',
      'feelLevel',
      'status',
      'abandonReason',
      'label',
      'origin',
      'since',
      'until',
      'format',
      'pseudonymise',
    ]);
    // Every study panel, the browser and the export take the same origin filter, with the same values.
    const originOf = (path: string): unknown => {
      const parameter = spec.paths[path]?.get?.parameters?.find((p) => 'name' in p && p.name === 'origin');
      return parameter && 'schema' in parameter ? parameter.schema : undefined;
    };
    const panels = ['arms', 'funnel', 'labels', 'timeline', 'durations', 'conversations'];
    for (const path of [...panels.map((panel) => `/api/admin/study/${panel}`), '/api/admin/conversations/export']) {
      expect([path, originOf(path)]).toEqual([path, expect.objectContaining({ enum: ['greeting', 'no_greeting'] })]);
    }
  });

  it('sets helmet security headers', async () => {
    const response = await http().get('/api/health/live').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('sets them on the refusals of a body and of a Host too, before any route runs', async () => {
    const malformed = await http()
      .post('/api/random/')
      .set('Content-Type', 'application/json')
      .send('{"message":')
      .expect(400);
    const tooLarge = await http()
      .post('/api/ml/classify')
      .send({ text: 'x'.repeat(2_000_000) })
      .expect(413);
    for (const response of [malformed, tooLarge]) {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it('lets no cache keep an API answer: a greeting carries the conversation id, which continues the conversation', async () => {
    for (const path of ['/api/random/initial/', '/api/random/closing/', '/api/health/live', '/api/nowhere']) {
      const response = await http().get(path);
      // Terminus writes its own, stricter value on the probes.
      expect({ path, cacheControl: response.headers['cache-control'] }).toEqual({
        path,
        cacheControl: expect.stringMatching(/(^|, )no-store(,|$)/),
      });
    }
  });
});
