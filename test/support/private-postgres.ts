import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { embeddedDataDir, freePort } from './service-process';
import { assertTestDatabaseName } from './test-database';

/** The pids whose parent is `ppid`, from /proc (the field after the command name, which may hold spaces). */
export function childPids(ppid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) children.push(Number(entry));
    } catch {
      // the process ended while we listed
    }
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/**
 * A PostgreSQL of the test's own (the project's embedded server on a spare port, data in a temp folder), so it
 * can be stopped, restarted and frozen without touching the machine's shared server. Connections go to a
 * database named `*_test`, as every test database here is.
 */
export class PrivatePostgres {
  readonly dataDir = embeddedDataDir('faults-pg');
  private server: EmbeddedPostgresServer | null = null;
  private serverUrl: string | null = null;
  private frozen: number[] = [];
  port = 0;

  constructor(readonly database: string) {
    assertTestDatabaseName(database);
  }

  /** Initialises the cluster on first use, starts it and creates the test database. */
  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.server ??= new EmbeddedPostgresServer({ dataDir: this.dataDir, port: this.port });
    const { url } = await this.server.start();
    // A restart returns as soon as the server is up, so the time a fault ends is measured without extra work.
    if (this.serverUrl) return;
    this.serverUrl = url;
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [this.database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${this.database}`);
    } finally {
      await admin.end();
    }
  }

  /** `pg_ctl stop -m fast`: open connections are cut, new ones refused. */
  stop(): void {
    this.thaw();
    this.server?.stop();
  }

  get url(): string {
    if (!this.serverUrl) throw new Error('PostgreSQL was never started');
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.database}`;
    return url.toString();
  }

  /** The postmaster's pid (first line of postmaster.pid), or null when the server is not running. */
  postmasterPid(): number | null {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  /**
   * SIGSTOP to the postmaster and every child: connections stay open and the listen socket still accepts, but
   * nothing answers, like a host that froze. The postmaster first, so it forks no child we would miss; then the
   * children, listed twice in case one was forked just before the postmaster stopped.
   */
  freeze(): void {
    const postmaster = this.postmasterPid();
    if (postmaster === null) throw new Error('cannot freeze PostgreSQL: it is not running');
    signal(postmaster, 'SIGSTOP');
    const pids = new Set<number>([postmaster]);
    for (let pass = 0; pass < 2; pass++) {
      for (const child of childPids(postmaster)) {
        if (!pids.has(child)) signal(child, 'SIGSTOP');
        pids.add(child);
      }
    }
    this.frozen = [...pids];
  }

  thaw(): void {
    for (const pid of this.frozen) signal(pid, 'SIGCONT');
    this.frozen = [];
  }

  get isFrozen(): boolean {
    return this.frozen.length > 0;
  }

  /** One query on a connection of its own (the API's pool is not the test's business). */
  async query<Row>(sql: string, params: unknown[] = []): Promise<Row[]> {
    const client = new Client({ connectionString: this.url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as Row[];
    } finally {
      await client.end();
    }
  }

  /** Thaws, stops and deletes the cluster; safe to call whatever state it is in. */
  destroy(): void {
    try {
      this.stop();
    } finally {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
