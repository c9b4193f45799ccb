import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findNginx, nginxConfig } from '../../scripts/local-stack/nginx-proxy';
import { freePort } from '../support/service-process';
import { tempDir } from '../support/temp-dir';

/** The proxy `npm run stack:local` puts in front of its replicas (Debian's nginx), on its own answers. */
describe('stack:local nginx proxy', () => {
  // .ci/run installs Debian's nginx before the tests, as `npm run stack:local` does before its first start.
  const nginx = findNginx();
  let dir: string;
  let child: ChildProcess | null = null;
  let base = '';

  beforeAll(async () => {
    if (!nginx) throw new Error('nginx is not installed (apt-get install nginx, as .ci/run does)');
    dir = tempDir('combot-nginx-');
    chmodSync(dir, 0o755);
    const port = await freePort();
    // A replica port nothing listens on: every proxied request finds no replica.
    const upstream = await freePort();
    const config = path.join(dir, 'nginx.conf');
    writeFileSync(
      config,
      nginxConfig({ listenHost: '127.0.0.1', listenPort: port, upstreams: [{ name: 'api-1', port: upstream }], dir }),
    );
    child = spawn(nginx, ['-p', dir, '-c', config, '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (
        await fetch(`${base}/api/health/live`).then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('nginx did not listen');
  });

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGQUIT');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers a body over its own limit with the API’s JSON 413, never nginx’s HTML page', async () => {
    const response = await fetch(`${base}/api/random/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ message: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ statusCode: 413, code: 'HTTP.PAYLOAD_TOO_LARGE' });
  });

  it('answers with a coded 503 and Retry-After when no replica answers', async () => {
    const response = await fetch(`${base}/api/random/initial/`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ statusCode: 503, code: 'HTTP.SERVICE_UNAVAILABLE' });
  });
});
