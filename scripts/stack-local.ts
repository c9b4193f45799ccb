/**
 * `npm run stack:local -- --replicas K [--port P] [--host H] [--database-url URL] [--quiet]`: K API replicas, one
 * queue worker and nginx (round robin) on this machine's PostgreSQL and Redis, in the foreground. Installs
 * Debian's nginx when it is missing, builds when dist/ is stale, migrates once. REDIS_HOST / REDIS_PORT /
 * REDIS_PASSWORD / REDIS_DB in the caller's environment name another Redis than 127.0.0.1:6379. Ctrl-C, SIGTERM or
 * SIGHUP (a closed terminal) stops every
 * child and removes the stack's temp files and Redis keys; the database is kept. Nothing restarts on its own.
 */
import { printableUrl } from '../src/config/printable-url';
import { LocalStack, type LocalStackOptions } from './local-stack/local-stack';
import { redisFromEnv } from './local-stack/stack-storage';

const USAGE =
  'usage: npm run stack:local -- --replicas K [--port P (8080)] [--host H (127.0.0.1)] [--database-url URL] [--quiet]';

/** A signal this soon after the first is the same Ctrl-C delivered twice, not a second one. */
const REPEAT_SIGNAL_MS = 2000;

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function parseArgs(argv: string[]): LocalStackOptions & { quiet: boolean } {
  const options: LocalStackOptions & { quiet: boolean } = {
    replicas: 2,
    port: 8080,
    quiet: false,
    redis: redisFromEnv(process.env),
  };
  const value = (i: number, flag: string): string => {
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value\n${USAGE}`);
    return next;
  };
  const whole = (text: string, flag: string): number => {
    if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a whole number, not ${text}\n${USAGE}`);
    return Number(text);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--replicas') options.replicas = whole(value(i++, arg), arg);
    else if (arg === '--port') options.port = whole(value(i++, arg), arg);
    else if (arg === '--host') options.host = value(i++, arg);
    else if (arg === '--database-url') options.databaseUrl = value(i++, arg);
    else if (arg === '--quiet') options.quiet = true;
    else if (arg === '--help' || arg === '-h') {
      say(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  let stack: LocalStack | null = null;
  let stopping: Promise<void> | null = null;
  let firstSignalAt = 0;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // The same Ctrl-C can arrive twice (the terminal's, and a forwarding wrapper's such as npm or timeout):
      // only a later one means "do not wait for graceful shutdowns any more".
      if (Date.now() - firstSignalAt < REPEAT_SIGNAL_MS) return;
      say(`${signal} again: killing everything now`);
      stack?.killNow();
      process.exit(130);
    }
    firstSignalAt = Date.now();
    say(`\n${signal}: stopping nginx, the replicas and the worker`);
    stopping = (stack ? stack.stop() : Promise.resolve()).then(
      () => {
        say('stopped; temp files and Redis keys removed, the database kept');
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A closed terminal: the children run in sessions of their own and would outlive it. Writing to that terminal
  // then fails; the stop goes on regardless.
  process.on('SIGHUP', stop);
  process.stdout.on('error', () => undefined);
  process.once('exit', () => stack?.killNow());

  const started = await LocalStack.start(
    {
      ...options,
      // A stack started by hand runs with the caller's settings (LLM, log level...) under the stack's own.
      inheritEnv: true,
      env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
      say: (line) => say(`stack: ${line}`),
      onOutput: options.quiet ? undefined : (name, line) => say(`[${name}] ${line}`),
    },
    (created) => (stack = created),
  );
  // A signal during the start stops the stack and exits; the start then fails on its own, unprinted.
  if (stopping) return;
  const lines = [
    '',
    `Combot stack: ${started.replicas.length} replica(s), queue worker and nginx (round robin) — Ctrl-C stops everything`,
    `  nginx    pid ${started.nginx?.pid ?? '?'}  ${started.proxyUrl}/api/health/ready  (Swagger: ${started.proxyUrl}/api/docs)`,
    ...started.replicas.map(
      (replica) => `  ${replica.name.padEnd(8)} pid ${replica.pid ?? '?'}  ${replica.url}/api/health/ready`,
    ),
    `  worker   pid ${started.worker?.pid ?? '?'}`,
    `  database ${printableUrl(started.databaseUrl)}`,
    `  Redis    ${started.redis.host}:${started.redis.port}/${started.redis.db ?? 0}, key prefix ${started.redisKeyPrefix}`,
    `  files    ${started.dir} (nginx.conf, access.log, error.log)`,
    '',
  ];
  say(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`stack:local failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
