import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const DATABASE = 'combot_cors_e2e_test';
/** In CORS_ORIGINS (createTestApp's). */
const ALLOWED = 'http://client.test';
const DISALLOWED = 'http://evil.test';

/** The headers a page of an allowed origin needs to read a credentialed answer. */
function expectCorsFor(headers: Record<string, string | undefined>, origin: string): void {
  expect({
    origin: headers['access-control-allow-origin'],
    credentials: headers['access-control-allow-credentials'],
  }).toEqual({ origin, credentials: 'true' });
}

function expectNoCors(headers: Record<string, string | undefined>): void {
  expect(Object.keys(headers).filter((name) => name.startsWith('access-control-allow-'))).toEqual([]);
}

describe('CORS on every answer (real PostgreSQL)', () => {
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    testApp = await createTestApp(DATABASE, { BODY_LIMIT: '1kb', HTTP_MAX_JSON_DEPTH: '8' });
  }, 60_000);

  afterAll(async () => {
    await testApp.app.close();
    await dropTestDatabase(DATABASE);
  });

  /** Each request refused while (or before) its body is read, with the code it is answered with. */
  const BODY_REFUSALS: { name: string; status: number; code: string; send: (origin: string) => request.Test }[] = [
    {
      name: 'malformed JSON',
      status: 400,
      code: 'HTTP.MALFORMED_JSON',
      send: (origin) => http().post('/api/random/').set('Origin', origin).type('application/json').send('{'),
    },
    {
      name: 'a body over BODY_LIMIT',
      status: 413,
      code: 'HTTP.PAYLOAD_TOO_LARGE',
      send: (origin) =>
        http()
          .post('/api/random/')
          .set('Origin', origin)
          .type('application/json')
          .send(JSON.stringify({ message: 'x'.repeat(5000) })),
    },
    {
      name: 'JSON nested past HTTP_MAX_JSON_DEPTH',
      status: 400,
      code: 'HTTP.BODY_TOO_DEEP',
      send: (origin) =>
        http()
          .post('/api/random/')
          .set('Origin', origin)
          .type('application/json')
          .send(`${'['.repeat(20)}${']'.repeat(20)}`),
    },
    {
      name: 'a body that is not UTF-8',
      status: 400,
      code: 'HTTP.MALFORMED_BODY',
      send: (origin) =>
        http()
          .post('/api/random/')
          .set('Origin', origin)
          .set('Content-Type', 'application/json')
          // superagent would send a Buffer given to send() as JSON of its bytes: these are the bytes themselves.
          .serialize(() => Buffer.from([0x7b, 0x22, 0x6d, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) as unknown as string)
          .send({}),
    },
    {
      name: 'a Content-Encoding the API does not read',
      status: 415,
      code: 'HTTP.UNSUPPORTED_ENCODING',
      send: (origin) =>
        http()
          .post('/api/random/')
          .set('Origin', origin)
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', 'compress')
          .send('{}'),
    },
    {
      name: 'a text/plain body',
      status: 415,
      code: 'HTTP.UNSUPPORTED_MEDIA_TYPE',
      send: (origin) => http().post('/api/random/').set('Origin', origin).type('text/plain').send('hello'),
    },
  ];

  /** Refusals made by the routes, which carried the headers already: kept that way. */
  const ROUTE_REFUSALS: typeof BODY_REFUSALS = [
    {
      name: 'a body that fails its schema',
      status: 400,
      code: 'HTTP.VALIDATION_FAILED',
      send: (origin) => http().post('/api/ml/classify').set('Origin', origin).send({ text: 42 }),
    },
    {
      name: 'an unknown route',
      status: 404,
      code: 'HTTP.NOT_FOUND',
      send: (origin) => http().get('/api/no-such-route/').set('Origin', origin),
    },
    {
      name: 'a method the route does not take',
      status: 405,
      code: 'HTTP.METHOD_NOT_ALLOWED',
      send: (origin) => http().get('/api/random/').set('Origin', origin),
    },
  ];

  describe.each([...BODY_REFUSALS, ...ROUTE_REFUSALS])('$name', ({ status, code, send }) => {
    it(`answers ${status} ${code} with the CORS headers for an allowed origin`, async () => {
      const response = await send(ALLOWED).expect(status);
      expect(response.body.code).toBe(code);
      expectCorsFor(response.headers, ALLOWED);
      expect(response.headers['access-control-expose-headers']).toContain('X-Request-Id');
    });

    it(`answers ${status} ${code} without them for another origin`, async () => {
      const response = await send(DISALLOWED).expect(status);
      expect(response.body.code).toBe(code);
      expectNoCors(response.headers);
    });
  });

  describe('a preflight', () => {
    const ROUTES = ['/api/random/', '/api/random/initial/', '/api/random/reset/', '/api/lulu/closing', '/api/health'];

    it.each(ROUTES)('from an allowed origin is allowed, with credentials (%s)', async (path) => {
      const response = await http()
        .options(path)
        .set('Origin', ALLOWED)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type')
        .expect(204);
      expectCorsFor(response.headers, ALLOWED);
      expect(response.headers['access-control-allow-methods']).toBe('GET,POST,OPTIONS');
      // Like every answer under /api: no cache keeps it, and helmet's headers are on it.
      expect(response.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    });

    it.each(ROUTES)('from another origin is answered 204 with no Access-Control-Allow-* (%s)', async (path) => {
      const response = await http()
        .options(path)
        .set('Origin', DISALLOWED)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type')
        .expect(204);
      expectNoCors(response.headers);
      expect(response.headers.allow).toBeUndefined();
      expect(response.headers.vary).toMatch(/\bOrigin\b/);
      expect(response.text).toBe('');
    });
  });
});
