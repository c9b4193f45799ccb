import zlib from 'node:zlib';
import { ROUTE_GROUP_NAMES } from '../fuzz/arbitraries';
import { FuzzHarness, fuzzSettings, HEAP_GROWTH_BOUND_BYTES } from '../fuzz/fuzz-harness';
import { DeepJson, jsonText } from '../fuzz/json-text';
import type { RawResponse } from '../fuzz/raw-http';

/**
 * Property-based fuzzing of every HTTP route (fast-check), CI-sized: `FUZZ_RUNS` runs per weight unit of a route
 * group (default below), `FUZZ_SEED` to replay a run, `FUZZ_PATH` to replay one case. The long run is
 * `npm run test:fuzz`. Before the properties, example-based regressions pin the designed answer to each bug found.
 */
const DATABASE = 'combot_fuzz_e2e_test';
const DEFAULT_RUNS = 60;
const settings = fuzzSettings(DEFAULT_RUNS);

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('fuzzing every route (fast-check, the whole app over a socket)', () => {
  let harness: FuzzHarness;
  let baseline: { heapUsedBytes: number; rssBytes: number };

  beforeAll(async () => {
    harness = await FuzzHarness.start(DATABASE);
    process.stdout.write(
      `fuzz: seed ${settings.seed}, ${settings.runs} runs per unit (replay with FUZZ_SEED=${settings.seed})\n`,
    );
    await harness.warmUp(3, settings.seed);
    baseline = await harness.memoryAfterGc();
  }, 180_000);

  afterAll(async () => {
    await harness?.close();
  });

  const send = (method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}) =>
    harness.send({ method, path, headers, body: typeof body === 'string' ? Buffer.from(body) : body });
  const postJson = (path: string, value: unknown, headers: Record<string, string> = {}) =>
    send('POST', path, typeof value === 'string' ? value : JSON.stringify(value), { ...JSON_HEADERS, ...headers });

  /** The service's error shape: `code` is the exact code, or a matcher when only its form is known. */
  function expectError(response: RawResponse, status: number, code: unknown): void {
    // Compared with the body beside it, so a wrong status shows what the service answered instead.
    expect({ status: response.status, body: response.text.slice(0, 300) }).toEqual(expect.objectContaining({ status }));
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.text)).toEqual(
      expect.objectContaining({
        statusCode: status,
        code,
        message: expect.any(String),
        requestId: response.headers['x-request-id'],
      }),
    );
  }

  async function greet(entry: 'random' | 'chatbot' | 'lulu') {
    const response = await send('GET', `/api/${entry}/initial/`);
    expect(response.status).toBe(200);
    const scenario = (JSON.parse(response.text) as { scenario: { conversation_id: string } }).scenario;
    return { scenario, id: scenario.conversation_id, cookie: `combot_sid=${scenario.conversation_id}` };
  }

  const turn = (message: string, index: number, scenario: unknown) => ({
    message,
    index,
    timer: 3,
    classType: '',
    chatLog: [],
    messageTypeLog: [],
    scenario,
  });

  async function conversation(id: string): Promise<{ step: number; status: string; email: string | null }> {
    const [row] = await harness.dataSource.query<{ step: number; status: string; email: string | null }[]>(
      'SELECT step, status, email FROM conversation WHERE id = $1',
      [id],
    );
    return row;
  }

  /**
   * Texts the classifier was asked for since start: unchanged when it did not run. Read once it is steady, since
   * queued classifications from the warm-up may still be finishing in the background.
   */
  async function classifierRequests(): Promise<number> {
    const read = async () => (JSON.parse((await send('GET', '/api/ml/status')).text) as { requests: number }).requests;
    let last = await read();
    for (let tries = 0; tries < 25; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const now = await read();
      if (now === last) return now;
      last = now;
    }
    return last;
  }

  describe('regressions: the designed answers to the known bugs', () => {
    describe('a NUL character in a chat message', () => {
      it.each(['My parcel\u0000 never arrived', '\u0000', 'The blender broke.\u0000'])(
        'is refused (%j) with 400 CHAT.INVALID_CHARACTERS before the classifier runs, storing nothing',
        async (message) => {
          const { scenario, id } = await greet('random');
          const asked = await classifierRequests();
          expectError(await postJson('/api/random/', turn(message, 0, scenario)), 400, 'CHAT.INVALID_CHARACTERS');
          expect(await classifierRequests()).toBe(asked);
          expect(await conversation(id)).toEqual(expect.objectContaining({ step: 0, status: 'in_progress' }));
        },
      );

      it('is refused as a lone surrogate too (the JSON escape \\ud800), which would be stored as U+FFFD', async () => {
        const { scenario, id } = await greet('random');
        const asked = await classifierRequests();
        const body = JSON.stringify(turn('My parcel never arrived.', 0, scenario)).replace(
          'arrived.',
          'arrived.\\ud800',
        );
        expectError(await postJson('/api/random/', body), 400, 'CHAT.INVALID_CHARACTERS');
        expect(await classifierRequests()).toBe(asked);
        expect(await conversation(id)).toEqual(expect.objectContaining({ step: 0, status: 'in_progress' }));
      });

      it('is refused at the email step too, and the conversation stays open', async () => {
        const id = await harness.converse('lulu', 6);
        const scenario = { conversation_id: id };
        expectError(
          await postJson('/api/lulu/', turn('me\u0000@example.org', 6, scenario)),
          400,
          'CHAT.INVALID_CHARACTERS',
        );
        expect(await conversation(id)).toEqual({ step: 6, status: 'in_progress', email: null });
      });
    });

    describe('JSON nested 5,000 deep', () => {
      const POST_ROUTES = [
        '/api/random/',
        '/api/chatbot',
        '/api/lulu/',
        '/api/random/reset',
        '/api/ml/classify',
        '/api/ml/classify/batch/',
        '/api/ml/classify/async',
      ];
      const deepArrays = jsonText(new DeepJson(5000, 'array'));
      const deepObjects = jsonText(new DeepJson(5000, 'object'));

      it.each(POST_ROUTES)('is refused on POST %s with 400 HTTP.BODY_TOO_DEEP, ahead of validation', async (path) => {
        // A whole body that is nothing but nesting would otherwise fail validation: the depth check comes first.
        expectError(await postJson(path, deepArrays), 400, 'HTTP.BODY_TOO_DEEP');
        expectError(
          await postJson(path, `{"message":"hi","text":"hi","texts":["hi"],"scenario":${deepObjects}}`),
          400,
          'HTTP.BODY_TOO_DEEP',
        );
      });

      it('leaves the React client’s own nesting alone', async () => {
        const { scenario } = await greet('chatbot');
        const body = { ...turn('My parcel never arrived.', 0, scenario), chatLog: [{ text: 'Hi', sender: 'bot' }] };
        expect((await postJson('/api/chatbot/', body)).status).toBe(200);
      });
    });

    describe('Content-Encoding', () => {
      const plain = Buffer.from(JSON.stringify({ text: 'My parcel never arrived.' }));
      const encoded = {
        gzip: zlib.gzipSync(plain),
        br: zlib.brotliCompressSync(plain),
        deflate: zlib.deflateSync(plain),
      };
      const classify = (encoding: string, body: Buffer, path = '/api/ml/classify') =>
        send('POST', path, body, { ...JSON_HEADERS, 'Content-Encoding': encoding });

      it.each(['gzip', 'br', 'deflate'] as const)('reads a body really encoded with %s', async (encoding) => {
        expect((await classify(encoding, encoded[encoding])).status).toBe(200);
      });

      it('reads an identity body', async () => {
        expect((await classify('identity', plain)).status).toBe(200);
      });

      it.each(['gzip', 'br', 'deflate'])(
        'refuses a body that claims %s but is not, with 400 HTTP.MALFORMED_BODY',
        async (encoding) => {
          expectError(await classify(encoding, plain), 400, 'HTTP.MALFORMED_BODY');
          expectError(await classify(encoding, plain, '/api/random/'), 400, 'HTTP.MALFORMED_BODY');
        },
      );

      it('refuses a truncated gzip body with 400 HTTP.MALFORMED_BODY', async () => {
        expectError(await classify('gzip', encoded.gzip.subarray(0, 15)), 400, 'HTTP.MALFORMED_BODY');
      });

      it.each(['bogus', 'compress', 'zstd'])(
        'refuses an encoding the API does not take (%s) with 415 HTTP.UNSUPPORTED_ENCODING',
        async (encoding) => {
          expectError(await classify(encoding, plain), 415, 'HTTP.UNSUPPORTED_ENCODING');
        },
      );
    });

    describe('the body’s type and bytes', () => {
      const POST_ROUTES = ['/api/random/', '/api/ml/classify', '/api/admin/session'];

      it.each([
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        // A form is what a cross-site page can post without a CORS preflight.
        'application/x-www-form-urlencoded',
      ])('refuses a %s body with 415 HTTP.UNSUPPORTED_MEDIA_TYPE before anything runs', async (type) => {
        const { id, cookie } = await greet('random');
        const asked = await classifierRequests();
        for (const path of POST_ROUTES) {
          const body = type.includes('form-urlencoded')
            ? 'message=My%20parcel%20never%20arrived&text=x&key=x'
            : '{"message":"My parcel never arrived.","text":"x","key":"x"}';
          expectError(
            await send('POST', path, body, { 'Content-Type': type, Cookie: cookie }),
            415,
            'HTTP.UNSUPPORTED_MEDIA_TYPE',
          );
        }
        expect(await classifierRequests()).toBe(asked);
        expect(await conversation(id)).toEqual(expect.objectContaining({ step: 0, status: 'in_progress' }));
      });

      it('refuses a body without a Content-Type the same way', async () => {
        for (const path of POST_ROUTES)
          expectError(
            await send('POST', path, '{"message":"hi","text":"hi","key":"x"}'),
            415,
            'HTTP.UNSUPPORTED_MEDIA_TYPE',
          );
      });

      it('takes a POST with no body and no Content-Type', async () => {
        const { cookie } = await greet('random');
        expect(
          (await send('POST', '/api/random/reset/', undefined, { Cookie: cookie, 'Content-Length': '0' })).status,
        ).toBe(200);
      });

      it('refuses invalid UTF-8 in a JSON body with 400 HTTP.MALFORMED_BODY before the classifier runs', async () => {
        const { scenario, id } = await greet('random');
        const asked = await classifierRequests();
        const json = JSON.stringify(turn('My parcel never arrived. XX', 0, scenario));
        const bytes = Buffer.from(json, 'utf8');
        const at = bytes.indexOf('XX');
        bytes[at] = 0xff;
        bytes[at + 1] = 0xfe;
        expectError(await send('POST', '/api/random/', bytes, JSON_HEADERS), 400, 'HTTP.MALFORMED_BODY');
        expectError(
          await send(
            'POST',
            '/api/ml/classify',
            Buffer.from([...Buffer.from('{"text":"'), 0xc3, 0x28, ...Buffer.from('"}')]),
            JSON_HEADERS,
          ),
          400,
          'HTTP.MALFORMED_BODY',
        );
        expect(await classifierRequests()).toBe(asked);
        expect(await conversation(id)).toEqual(expect.objectContaining({ step: 0, status: 'in_progress' }));
      });

      it('reads a JSON body in UTF-16 when its charset says so', async () => {
        const body = Buffer.from(JSON.stringify({ text: 'My parcel never arrived.' }), 'utf16le');
        expect(
          (await send('POST', '/api/ml/classify', body, { 'Content-Type': 'application/json; charset=utf-16le' }))
            .status,
        ).toBe(200);
      });
    });

    describe('the reset route', () => {
      it.each(['/api/random/reset', '/api/random/reset/'])(
        'refuses GET %s with 405 HTTP.METHOD_NOT_ALLOWED and Allow: POST, changing nothing',
        async (path) => {
          const { scenario, id, cookie } = await greet('random');
          expect((await postJson('/api/random/', turn('My parcel never arrived.', 0, scenario))).status).toBe(200);
          const response = await send('GET', path, undefined, { Cookie: cookie });
          expectError(response, 405, 'HTTP.METHOD_NOT_ALLOWED');
          expect(response.headers.allow).toMatch(/\bPOST\b/);
          expect(await conversation(id)).toEqual(expect.objectContaining({ step: 1, status: 'in_progress' }));
        },
      );

      it('refuses HEAD the same way', async () => {
        const { scenario, id, cookie } = await greet('random');
        expect((await postJson('/api/random/', turn('My parcel never arrived.', 0, scenario))).status).toBe(200);
        const response = await send('HEAD', '/api/random/reset', undefined, { Cookie: cookie });
        expect(response.status).toBe(405);
        expect(await conversation(id)).toEqual(expect.objectContaining({ step: 1, status: 'in_progress' }));
      });

      it('still forgets the conversation on POST', async () => {
        const { scenario, id, cookie } = await greet('random');
        expect((await postJson('/api/random/', turn('My parcel never arrived.', 0, scenario))).status).toBe(200);
        expect((await send('POST', '/api/random/reset', undefined, { Cookie: cookie })).status).toBe(200);
        expect(await conversation(id)).toEqual(expect.objectContaining({ status: 'abandoned' }));
      });
    });
    describe('a NUL character in a query value of the queue dashboard', () => {
      it.each(['/api/admin/queues/api/queues?status=%00&a=', '/api/admin/queues/api/queues?activeQueue=ml%00x'])(
        'is refused (%s) with 400 HTTP.BAD_REQUEST in the service’s error body, not its router’s 500',
        async (path) => {
          const response = await send('GET', path, undefined, { 'X-Api-Key': harness.context.adminKey });
          expectError(response, 400, 'HTTP.BAD_REQUEST');
        },
      );

      it('still serves the same query without it', async () => {
        const response = await send('GET', '/api/admin/queues/api/queues?status=latest', undefined, {
          'X-Api-Key': harness.context.adminKey,
        });
        expect(response.status).toBe(200);
      });
    });

    describe('the queue dashboard’s own refusals', () => {
      it.each([
        ['/api/admin/queues/api/queues?activeQueue=ml&status=zzz&page=-5', 400, 'HTTP.BAD_REQUEST'],
        ['/api/admin/queues/api/queues/nope/1', 404, 'HTTP.NOT_FOUND'],
        ['/api/admin/queues/api/queues/ml/999999999', 404, 'HTTP.NOT_FOUND'],
      ] as const)('answer %s in the service’s error body (%i %s)', async (path, status, code) => {
        const response = await send('GET', path, undefined, { 'X-Api-Key': harness.context.adminKey });
        expectError(response, status, code);
        // bull-board's reason, or the status's when it gives none: never a bare "refused".
        expect((JSON.parse(response.text) as { message: string }).message).not.toMatch(/: refused\.$/);
      });
    });
  });

  describe('properties: every answer to every generated request', () => {
    it.each(ROUTE_GROUP_NAMES)(
      '%s: < 500, JSON errors with code and requestId, no leaks, no markup',
      async (name) => {
        const group = harness.group(name);
        const outcome = await harness.runGroup(group, {
          runs: Math.max(1, Math.round(settings.runs * group.weight)),
          seed: settings.seed,
          path: settings.path,
          continueAfterFailure: false,
        });
        const [failure] = outcome.failures;
        if (failure) {
          throw new Error(`${failure.report} npx jest test/e2e/fuzz.e2e-spec.ts -t '${name}:'`);
        }
      },
      120_000,
    );
  });

  describe('after fuzzing', () => {
    it('stays alive and keeps its heap bounded', async () => {
      expect((await send('GET', '/api/health/live')).status).toBe(200);
      expect((await send('GET', '/api/health/ready')).status).toBe(200);
      const after = await harness.memoryAfterGc();
      process.stdout.write(
        `fuzz: ${harness.stats.cases} requests; heap ${mb(baseline.heapUsedBytes)} → ${mb(after.heapUsedBytes)} MB ` +
          `(${after.collected}), RSS ${mb(baseline.rssBytes)} → ${mb(after.rssBytes)} MB, peak ${mb(harness.stats.peakRssBytes)} MB\n`,
      );
      expect(after.heapUsedBytes - baseline.heapUsedBytes).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
    });

    it('leaves every conversation consistent: no half-written step', async () => {
      const report = await harness.dataSafety();
      expect(report.conversations).toBeGreaterThan(report.wellFormed);
      expect(report.problems).toEqual([]);
    });
  });
});

function mb(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}
