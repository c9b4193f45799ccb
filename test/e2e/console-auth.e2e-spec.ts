import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, TestApp } from '../support/test-app';
import { dropTestDatabase } from '../support/test-database';

const DATABASE = 'combot_console_auth_e2e_test';
const ADMIN_KEY = 'console-auth-admin-key-0123';
const METRICS_KEY = 'console-auth-metrics-key-4567';
const CONSOLE = { 'X-Combot-Console': '1' };

/** `name=value` of the session cookie a response set, with its attributes. */
function sessionCookie(setCookie: string[] | string | undefined): { pair: string; attributes: string } {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const header = all.find((cookie) => /^(__Host-)?combot_admin=[^;]+/.test(cookie));
  if (!header) throw new Error(`no session cookie in ${JSON.stringify(all)}`);
  const [pair, ...attributes] = header.split('; ');
  return { pair, attributes: attributes.join('; ') };
}

/** The console's login, session, CSRF and page rules over HTTP (the browser test drives the same through Chromium). */
describe('study console: login, session and pages (HTTP)', () => {
  let testApp: TestApp;
  const http = () => request(testApp.app.getHttpServer());

  beforeAll(async () => {
    expect(existsSync(path.join(__dirname, '..', '..', 'dist', 'console', 'console.html'))).toBe(true); // npm run build
    testApp = await createTestApp(DATABASE, {
      ADMIN_API_KEY: ADMIN_KEY,
      ADMIN_LOGIN_MAX_FAILURES: '3',
      ADMIN_SESSION_TTL_MINUTES: '30',
      METRICS_API_KEY: METRICS_KEY,
      // A TLS-terminating proxy on this host: X-Forwarded-Proto then decides whether a login came over https.
      TRUST_PROXY: 'loopback',
    });
  }, 60_000);

  afterAll(async () => {
    await testApp?.app.close();
    await dropTestDatabase(DATABASE);
  });

  async function login(): Promise<string> {
    const response = await http().post('/api/admin/session').send({ key: ADMIN_KEY }).expect(200);
    return sessionCookie(response.headers['set-cookie']).pair;
  }

  it('exchanges the admin key for an HttpOnly, SameSite=Strict, expiring session cookie', async () => {
    const before = Date.now();
    const response = await http().post('/api/admin/session').send({ key: ADMIN_KEY }).expect(200);
    const { pair, attributes } = sessionCookie(response.headers['set-cookie']);
    expect(pair).toMatch(/^combot_admin=v1\./); // plain http: no Secure, so no __Host- prefix
    expect(attributes).toMatch(/HttpOnly/);
    expect(attributes).toMatch(/SameSite=Strict/);
    expect(attributes).toMatch(/Path=\//);
    expect(attributes).toMatch(/Max-Age=1800/);
    expect(attributes).not.toMatch(/Secure/);
    expect(pair).not.toContain(ADMIN_KEY);
    const expiresAt = Date.parse(response.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 1_799_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 1_800_000);
    expect(response.body).toMatchObject({ queueDashboard: false, pseudonymisedExport: expect.any(Boolean) });
  });

  it('makes the cookie Secure, under the __Host- prefix, when the login came over https', async () => {
    const response = await http()
      .post('/api/admin/session')
      .set('X-Forwarded-Proto', 'https')
      .send({ key: ADMIN_KEY })
      .expect(200);
    const { pair, attributes } = sessionCookie(response.headers['set-cookie']);
    expect(pair).toMatch(/^__Host-combot_admin=v1\./);
    expect(attributes).toMatch(/Secure/);
    await http().get('/api/admin/study/arms').set('Cookie', pair).expect(200);
  });

  it('opens every admin route with the session, as with the key header', async () => {
    const cookie = await login();
    await http().get('/api/admin/study/arms').set('Cookie', cookie).expect(200);
    await http().get('/api/admin/conversations/export?format=jsonl').set('Cookie', cookie).expect(200);
    await http().get('/api/admin/study/arms').set('X-Api-Key', ADMIN_KEY).expect(200);
    const session = await http().get('/api/admin/session').set('Cookie', cookie).expect(200);
    expect(Date.parse(session.body.expiresAt)).toBeGreaterThan(Date.now());
    await http().get('/api/admin/study/arms').expect(401);
    const forged = cookie.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'));
    await http().get('/api/admin/study/arms').set('Cookie', forged).expect(401);
  });

  it("lets no browser or proxy keep a copy of what admin routes answer: participants' data must go with the session", async () => {
    const cookie = await login();
    const conversation = await http().get('/api/random/initial').expect(200);
    const id = conversation.body.scenario.conversation_id as string;
    for (const url of [
      '/api/admin/study/arms',
      '/api/admin/study/conversations',
      `/api/admin/study/conversations/${id}`,
      '/api/admin/conversations/export?format=jsonl',
      '/api/admin/session',
    ]) {
      const response = await http().get(url).set('Cookie', cookie).expect(200);
      expect({ url, cacheControl: response.headers['cache-control'] }).toEqual({ url, cacheControl: 'no-store' });
    }
    const refused = await http().get('/api/admin/study/arms').expect(401);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('refuses the session from another site or origin, and a state change without the console header', async () => {
    const cookie = await login();
    const crossSite = await http()
      .get('/api/admin/study/arms')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-site')
      .expect(403);
    expect(crossSite.body.code).toBe('ADMIN.CROSS_SITE_REQUEST');
    await http().get('/api/admin/study/arms').set('Cookie', cookie).set('Origin', 'http://client.test').expect(403);
    const bare = await http().delete('/api/admin/session').set('Cookie', cookie).expect(403);
    expect(bare.body.code).toBe('ADMIN.CROSS_SITE_REQUEST');
    await http().get('/api/admin/study/arms').set('Cookie', cookie).expect(200); // still logged in
  });

  it('logs out: the session is revoked at once, even for a copy of the cookie', async () => {
    const cookie = await login();
    const response = await http().delete('/api/admin/session').set('Cookie', cookie).set(CONSOLE).expect(200);
    expect(response.body).toEqual({ ended: true });
    const cleared = (response.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('combot_admin='));
    expect(cleared).toMatch(/^combot_admin=;.*Expires=Thu, 01 Jan 1970/);
    const after = await http().get('/api/admin/study/arms').set('Cookie', cookie).expect(401);
    expect(after.body.message).toMatch(/logged out/);
  });

  it('sends a reader without a session to the login form with the console query to come back to, and why', async () => {
    const shared = await http().get('/admin/?origin=greeting').expect(303);
    expect(shared.headers.location).toBe('/admin/login?view=origin%3Dgreeting');
    const ended = await login();
    await http().delete('/api/admin/session').set('Cookie', ended).set(CONSOLE).expect(200);
    const afterLogout = await http().get('/admin/').set('Cookie', ended).expect(303);
    expect(afterLogout.headers.location).toBe('/admin/login?reason=ended');
    const forged = `${ended.split('=')[0]}=not-a-session`;
    const expired = await http().get('/admin/?origin=all').set('Cookie', forged).expect(303);
    expect(expired.headers.location).toBe('/admin/login?reason=expired&view=origin%3Dall');
    // Logged in, the login page sends the reader on to the console with that query.
    const back = await http()
      .get('/admin/login?view=origin%3Dgreeting')
      .set('Cookie', await login())
      .expect(303);
    expect(back.headers.location).toBe('/admin/?origin=greeting');
  });

  it('serves the console only with a session, under a strict CSP of its own; Swagger keeps its looser one', async () => {
    const anonymous = await http().get('/admin/').expect(303);
    expect(anonymous.headers.location).toBe('/admin/login');
    const loginPage = await http()
      .get('/admin/login')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(loginPage.text).toContain('id="login-form"');
    expect(loginPage.headers['cache-control']).toBe('no-store');

    const cookie = await login();
    for (const path of ['/admin/', '/admin']) {
      const page = await http()
        .get(path)
        .set('Cookie', cookie)
        .expect(200)
        .expect('Content-Type', /text\/html/);
      expect(page.text).toContain('id="panel-arms"');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("style-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("require-trusted-types-for 'script'");
      expect(csp).not.toContain('unsafe-inline');
    }
    expect((await http().get('/admin/login').set('Cookie', cookie).expect(303)).headers.location).toBe('/admin/');
    const swagger = await http().get('/api/docs').expect(200);
    expect(String(swagger.headers['content-security-policy'])).toContain("'unsafe-inline'");
  });

  it('serves the built assets by name only, with ETags', async () => {
    const script = await http()
      .get('/admin/assets/console.js')
      .expect(200)
      .expect('Content-Type', /text\/javascript/);
    expect(script.headers.etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    await http().get('/admin/assets/console.js').set('If-None-Match', script.headers.etag).expect(304);
    await http()
      .get('/admin/assets/console.css')
      .expect(200)
      .expect('Content-Type', /text\/css/);
    for (const name of ['console.html', 'nothing.js', '..%2F..%2Fpackage.json']) {
      const missing = await http().get(`/admin/assets/${name}`).expect(404);
      expect(missing.body.code).toBe('HTTP.NOT_FOUND');
    }
  });

  it('counts a wrong key on any admin route against the same limit as the login, per address', async () => {
    // Addresses of their own (TRUST_PROXY=loopback believes X-Forwarded-For), so the login test below starts clean.
    const guesser = '203.0.113.7';
    const from = (address: string, path: string, key: string) =>
      http().get(path).set('X-Forwarded-For', address).set('X-Api-Key', key);
    for (const guess of ['guess-1-aaaaaaaaaaaaaaaa', 'guess-2-bbbbbbbbbbbbbbbb', 'guess-3-cccccccccccccccc']) {
      expect((await from(guesser, '/api/admin/study/arms', guess)).status).toBe(403);
    }
    for (const path of ['/api/admin/study/arms', '/api/admin/conversations/export?format=jsonl']) {
      const limited = await from(guesser, path, ADMIN_KEY);
      expect([limited.status, limited.body.code]).toEqual([429, 'HTTP.TOO_MANY_REQUESTS']);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    }
    const login = await http().post('/api/admin/session').set('X-Forwarded-For', guesser).send({ key: ADMIN_KEY });
    expect(login.status).toBe(429);
    expect((await from('203.0.113.8', '/api/admin/study/arms', ADMIN_KEY)).status).toBe(200);
  });

  it('compares no more wrong keys than the limit when a burst of them arrives at once, by login or header', async () => {
    const guesses = (address: string, send: (i: number) => request.Test) =>
      Promise.all(Array.from({ length: 30 }, (_, i) => send(i).set('X-Forwarded-For', address))).then((answers) =>
        answers.map(({ status }) => status).sort(),
      );
    const logins = await guesses('203.0.113.21', (i) =>
      http()
        .post('/api/admin/session')
        .send({ key: `burst-guess-${i}-aaaaaaaaaaaa` }),
    );
    const headers = await guesses('203.0.113.22', (i) =>
      http().get('/api/admin/study/arms').set('X-Api-Key', `burst-guess-${i}-bbbbbbbbbbbb`),
    );
    for (const statuses of [logins, headers]) {
      expect(statuses.filter((status) => status === 403)).toHaveLength(3);
      expect(statuses.filter((status) => status === 429)).toHaveLength(27);
    }
  });

  it('counts a wrong key shown to the health report against the same limit; a locked-out address sees statuses only', async () => {
    const guesser = '203.0.113.9';
    const health = (key: string, address = guesser) =>
      http().get('/api/health').set('X-Forwarded-For', address).set('X-Api-Key', key);
    /** Whether the report says more of a part than up or down: the admin key's view. */
    const detailed = (body: { details: Record<string, object> }): boolean =>
      Object.values(body.details).some((part) => Object.keys(part).length > 1);
    expect(detailed((await health(ADMIN_KEY, '203.0.113.10')).body)).toBe(true);
    for (const guess of ['guess-1-aaaaaaaaaaaaaaaa', 'guess-2-bbbbbbbbbbbbbbbb', 'guess-3-cccccccccccccccc']) {
      const answer = await health(guess);
      expect([answer.status, detailed(answer.body)]).toEqual([200, false]);
    }
    const limited = await http()
      .get('/api/admin/study/arms')
      .set('X-Forwarded-For', guesser)
      .set('X-Api-Key', ADMIN_KEY);
    expect(limited.status).toBe(429);
    // The probe still answers, but which view it gives can no longer tell a right guess from a wrong one.
    const locked = await health(ADMIN_KEY);
    expect([locked.status, detailed(locked.body)]).toEqual([200, false]);
  });

  it('does not count the metrics key shown to the health report as a wrong admin key (a monitor sends its token everywhere)', async () => {
    const monitor = '203.0.113.20';
    for (let call = 0; call < 5; call++) {
      await http()
        .get('/api/health')
        .set('X-Forwarded-For', monitor)
        .set('Authorization', `Bearer ${METRICS_KEY}`)
        .expect(200);
    }
    await http().get('/api/admin/study/arms').set('X-Forwarded-For', monitor).set('X-Api-Key', ADMIN_KEY).expect(200);
  });

  it('counts failed logins per IPv6 /64 and per address however it is written, so rewriting it buys no guesses', async () => {
    const login = (address: string, key: string) =>
      http().post('/api/admin/session').set('X-Forwarded-For', address).send({ key });
    for (const address of ['2001:db8:77::1', '2001:DB8:77:0:0:0:0:2', '2001:db8:77::ffff'])
      expect((await login(address, 'not-the-admin-key-000')).status).toBe(403);
    expect((await login('2001:db8:77::42', ADMIN_KEY)).status).toBe(429);
    for (const address of ['198.51.100.7', '::ffff:198.51.100.7', '::ffff:c633:6407'])
      expect((await login(address, 'not-the-admin-key-000')).status).toBe(403);
    expect((await login('198.51.100.7', ADMIN_KEY)).status).toBe(429);
    // Another /64 is another subscriber.
    expect((await login('2001:db8:78::1', ADMIN_KEY)).status).toBe(200);
  });

  it("marks the participant's cookie Secure when the page came over https, as the console's (CHAT_COOKIE_SECURE unset)", async () => {
    const cookieOf = (response: request.Response): string =>
      ([] as string[]).concat(response.headers['set-cookie'] ?? []).find((c) => c.startsWith('combot_sid=')) ?? '';
    const overHttps = await http().get('/api/random/initial/').set('X-Forwarded-Proto', 'https').expect(200);
    expect(cookieOf(overHttps)).toMatch(/; Secure(;|$)/);
    const overHttp = await http().get('/api/random/initial/').expect(200);
    expect(cookieOf(overHttp)).toMatch(/^combot_sid=[^;]+;.*HttpOnly/);
    expect(cookieOf(overHttp)).not.toMatch(/; Secure(;|$)/);
  });

  // Last: it leaves this address blocked for the rest of the window.
  it('refuses a wrong key and, past ADMIN_LOGIN_MAX_FAILURES, every login from the address (Retry-After)', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const refused = await http().post('/api/admin/session').send({ key: 'not-the-admin-key-000' }).expect(403);
      expect(refused.body.code).toBe('HTTP.FORBIDDEN');
      expect(refused.headers['set-cookie']).toBeUndefined();
    }
    const limited = await http().post('/api/admin/session').send({ key: ADMIN_KEY }).expect(429);
    expect(limited.body.code).toBe('HTTP.TOO_MANY_REQUESTS');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    await http().post('/api/admin/session').send({}).expect(400);
  });
});
