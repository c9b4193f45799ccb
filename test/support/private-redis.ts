import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { freePort } from './service-process';

/**
 * The pid of the Redis answering on `port` (from `INFO server`, over a fresh connection), or null when none answers
 * within `timeoutMs`. Telling our server from another one matters on a shared machine: a port a test let go can be
 * taken by another test's server before ours binds it, and that one would answer a bare PING.
 */
export function redisPid(port: number, timeoutMs = 500): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (pid: number | null): void => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(timeoutMs, () => done(null));
    socket.once('error', () => done(null));
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (data) => {
      reply += data.toString();
      const pid = /\bprocess_id:(\d+)/.exec(reply)?.[1];
      if (pid !== undefined) done(Number(pid));
    });
  });
}

/**
 * A Redis of the test's own on a spare port (no persistence), so it can be killed and started again on the same
 * port without touching the machine's shared Redis.
 */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private frozen = false;
  port = 0;

  async start(): Promise<void> {
    if (this.child) return;
    if (!this.port) this.port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && child.exitCode === null) {
      if ((await redisPid(this.port)) === child.pid) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.stop();
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /**
   * SIGSTOP: connections stay open and the port still accepts (the kernel completes the handshake), but nothing
   * answers, as with a Redis stuck on a full disk, a swapped-out host or a network path that drops packets.
   */
  freeze(): void {
    if (!this.child || this.child.exitCode !== null) throw new Error('cannot freeze Redis: it is not running');
    this.child.kill('SIGSTOP');
    this.frozen = true;
  }

  /** SIGCONT: Redis answers again, in order, every command it was sent meanwhile. A no-op unless frozen. */
  thaw(): void {
    if (this.frozen && this.child && this.child.exitCode === null) this.child.kill('SIGCONT');
    this.frozen = false;
  }

  /** SIGKILL (thawed first): the connections drop at once, as when the host or container dies. */
  async stop(): Promise<void> {
    this.thaw();
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  get running(): boolean {
    return this.child !== null;
  }
}

/**
 * The settings of an app under test on `redis`: its keys under a prefix of its own, the queues' jobs run in the app
 * itself (no worker process in these tests), one inference thread.
 */
export function appOnPrivateRedis(redis: PrivateRedis): Record<string, string> {
  return {
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(redis.port),
    REDIS_KEY_PREFIX: `combot-test-${randomUUID().slice(0, 8)}`,
    QUEUE_PROCESS_IN_API: 'true',
    ML_WORKERS: '1',
  };
}
