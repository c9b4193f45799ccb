import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { copyFile, lstat, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Command, Option } from 'nest-commander';
import { AuditActor } from '../chat/admin-audit.entity';
import { ConversationExportService, parseExportFilter } from '../chat/conversation-export.service';
import { isOneAddress } from '../chat/email-address';
import { isConversationId } from '../chat/conversation.repository';
import { ParticipantDataService } from '../chat/participant-data.service';
import { AppConfig } from '../config/app-config';
import { timerDelay } from '../config/timer-limit';
import { HealthService } from '../health/health.service';
import { JobsService } from '../queue/jobs.service';
import {
  ERASE_COMMAND,
  EXPORT_COMMAND,
  QUEUE_STATUS_COMMAND,
  RETENTION_RUN_COMMAND,
  retentionRefusal,
  SETTING_REQUIRED_EXIT_CODE,
} from './cli-start';
import { OperationsService } from './operations.service';
import { StrictCommand } from './strict-command';

function print(value: unknown): void {
  process.stdout.write(`${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}\n`);
}

function fail(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

/**
 * Every part, in full (an operator runs this): exit 1 naming what is down, whether the API would still serve
 * participants without it (`degraded`) or not (`not ready`).
 */
async function healthCheck(health: HealthService): Promise<boolean> {
  const report = await health.full();
  print(report);
  if (report.status !== 'ok') fail(HealthService.describeDown(report));
  return report.status === 'ok';
}

@Command({
  name: 'preload-models',
  description: 'Load the configured models (ML_MODEL_ID, ML_PRELOAD_MODELS) and report load times.',
})
export class PreloadModelsCommand extends StrictCommand {
  constructor(private readonly operations: OperationsService) {
    super();
  }

  async run(): Promise<void> {
    try {
      print(await this.operations.preloadModels());
    } catch (error) {
      fail(`preload failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

@Command({ name: 'warm-cache', description: 'Classify every line of a file into the result cache.' })
export class WarmCacheCommand extends StrictCommand {
  constructor(
    private readonly operations: OperationsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], options: { file?: string }): Promise<void> {
    try {
      print(await this.operations.warmCache(options.file ?? this.config.ml.warmupFile));
    } catch (error) {
      fail(`warm-cache failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  @Option({
    flags: '-f, --file <path>',
    description: 'one complaint per line (default: ML_WARMUP_FILE, the shipped data/warmup-complaints.txt)',
  })
  parseFile(value: string): string {
    return value;
  }
}

@Command({ name: 'health-check', description: 'Check every dependency; exit 1 naming the parts that are down.' })
export class HealthCheckCommand extends StrictCommand {
  constructor(
    private readonly operations: OperationsService,
    private readonly health: HealthService,
  ) {
    super();
  }

  async run(): Promise<void> {
    // The model is part of readiness: a CLI process loads it first, as the API does at start.
    await this.operations.preloadModels().catch(() => undefined);
    await healthCheck(this.health);
  }
}

@Command({
  name: 'start-optimized-services',
  description: 'The seed’s start-up routine: preload models, warm the result cache, check readiness.',
})
export class StartOptimizedServicesCommand extends StrictCommand {
  constructor(
    private readonly operations: OperationsService,
    private readonly health: HealthService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(
    _args: string[],
    options: { preloadModels?: boolean; warmCache?: boolean; healthCheck?: boolean; file?: string },
  ): Promise<void> {
    try {
      if (options.preloadModels || options.warmCache || options.healthCheck)
        print(await this.operations.preloadModels());
      if (options.warmCache) print(await this.operations.warmCache(options.file ?? this.config.ml.warmupFile));
      if (options.healthCheck) await healthCheck(this.health);
    } catch (error) {
      fail(`start-optimized-services failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  @Option({ flags: '--preload-models', description: 'load the configured models' })
  parsePreload(): boolean {
    return true;
  }

  @Option({ flags: '--warm-cache', description: 'classify the warm-up list into the result cache' })
  parseWarm(): boolean {
    return true;
  }

  @Option({ flags: '--health-check', description: 'check every dependency; exit 1 naming the parts that are down' })
  parseHealth(): boolean {
    return true;
  }

  @Option({ flags: '-f, --file <path>', description: 'warm-up list (default: ML_WARMUP_FILE)' })
  parseFile(value: string): string {
    return value;
  }
}

/**
 * Writes `line` and settles once it is written or refused: the export reads no further row past a failed write, and
 * its audit row then says incomplete.
 */
function writeLine(output: Writable, line: string): Promise<void> {
  return new Promise((resolve, reject) => output.write(line, (error) => (error ? reject(error) : resolve())));
}

/**
 * Hands `lines` to `output` one by one, each read and write raced against `stopped`; on a failed write or an interrupt
 * it stops the export (which then records itself as incomplete) before rethrowing, so the app never closes under a
 * query still running.
 */
async function writeLines(lines: AsyncGenerator<string>, output: Writable, stopped: Promise<never>): Promise<number> {
  // The write that failed reports the error; without a listener the stream's 'error' event would end the process.
  const ignore = (): void => undefined;
  output.on('error', ignore);
  try {
    let count = 0;
    for (;;) {
      const next = await Promise.race([lines.next(), stopped]);
      if (next.done === true) return count;
      await Promise.race([writeLine(output, next.value), stopped]);
      count++;
    }
  } finally {
    // A read still running when the interrupt came ends first; the export then records itself.
    await lines.return(undefined);
    output.off('error', ignore);
  }
}

/** Where an export writes its file, and how the file takes its place once complete or goes if not. */
interface ExportTarget {
  readonly output: Writable;
  commit(): Promise<void>;
  discard(): Promise<void>;
  /** What `discard` does, at once: an interrupted process may exit before a promise settles. */
  abandon(): void;
}

/** The export written straight into `out` (a device, a pipe, a link to either, a file whose folder takes no new file). */
async function inPlace(out: string): Promise<ExportTarget> {
  const output = (await open(out, 'w', 0o600)).createWriteStream();
  const done = (): Promise<void> => Promise.resolve();
  return { output, commit: done, discard: done, abandon: () => undefined };
}

const errorCode = (error: unknown): string | undefined => (error as { code?: string } | null)?.code;

/** Exit codes of a process ended by these signals, as a shell reports them (128 + the signal's number). */
const INTERRUPTS = { SIGINT: 130, SIGTERM: 143 } as const;
type Interrupt = keyof typeof INTERRUPTS;
const INTERRUPT_SIGNALS = Object.keys(INTERRUPTS) as Interrupt[];

/**
 * How long an interrupted export waits for its audit row before it exits without one: far above the milliseconds
 * the insert takes, and inside the 10 s that docker stop and Kubernetes leave before SIGKILL. A page the database is
 * slow to read (the export waits for it before it can stop) or a database gone holds the exit no longer.
 */
const INTERRUPTED_AUDIT_WAIT_MS = 5000;

class ExportInterrupted extends Error {
  constructor(readonly signal: Interrupt) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Ctrl-C and SIGTERM during an export. The e-mails it wrote have left, so the export must still record its audit
 * row, as one that fails or whose reader leaves does: the first signal runs the clean-ups (at once: the partial file
 * goes even if the database never answers) and rejects `stopped`, which stops the export where it is; it then records
 * itself as incomplete with the rows handed out, and `end` exits with the signal's code. A second signal, or
 * INTERRUPTED_AUDIT_WAIT_MS without the audit row, exits at once.
 */
class ExportInterrupts {
  readonly stopped: Promise<never>;
  private stop: (reason: ExportInterrupted) => void = () => undefined;
  private signal: Interrupt | null = null;
  private readonly cleanUps: (() => void)[] = [];

  private readonly onSignal = (signal: Interrupt): void => {
    if (this.signal !== null) process.exit(INTERRUPTS[signal]);
    this.signal = signal;
    for (const cleanUp of this.cleanUps) cleanUp();
    setTimeout(() => process.exit(INTERRUPTS[signal]), INTERRUPTED_AUDIT_WAIT_MS);
    this.stop(new ExportInterrupted(signal));
  };

  constructor() {
    this.stopped = new Promise<never>((_resolve, reject) => (this.stop = reject));
    // Awaited only in a race: an export that is never interrupted leaves it pending, one that is may have settled.
    this.stopped.catch(() => undefined);
    for (const signal of INTERRUPT_SIGNALS) process.on(signal, this.onSignal);
  }

  /** Runs `cleanUp` when a signal comes (at once if one came already). */
  onInterrupt(cleanUp: () => void): void {
    this.cleanUps.push(cleanUp);
    if (this.signal !== null) cleanUp();
  }

  /** Once the export settled: exits with the signal's code if one came, or gives the signals their default back. */
  end(): void {
    if (this.signal !== null) process.exit(INTERRUPTS[this.signal]);
    for (const signal of INTERRUPT_SIGNALS) process.off(signal, this.onSignal);
  }
}

/**
 * Opens the export's destination before anything is read, so an unwritable path is refused with nothing read and
 * nothing audited. A regular file (or a new one) is written beside itself under a random temporary name,
 * owner-only (it holds every participant's e-mail and transcript), and renamed over `out` only once complete: an
 * earlier export is replaced whole, by a file with the new mode, or kept as it was if this one fails. Ctrl-C or
 * SIGTERM removes the temporary file before the CLI exits, so no copy of the data is left behind. Written in place:
 * anything that is not a regular file (a device such as /dev/stdout, a pipe, a link to either), and an existing file
 * in a folder that takes no new file; a file mounted on its own (a container's bind mount) is copied over at the end.
 * A symbolic link to a file, or to nothing, is refused.
 */
async function openExportTarget(out: string): Promise<ExportTarget> {
  const existing = await lstat(out).catch(() => null);
  if (existing?.isSymbolicLink()) {
    // A link to a device or a pipe (/dev/stdout on a terminal or a pipe) is a stream: written in place.
    const linked = await stat(out).catch(() => null);
    if (linked !== null && !linked.isFile()) return inPlace(out);
    // Refused rather than followed or replaced. Followed, the data would land in a file whose mode (often 0644) and
    // place whoever made the link chose, as in a shared folder. Replaced, the file it leads to would go on holding
    // the earlier export, readable as before, by the name the operator knows it under.
    throw new Error(`${out} is a symbolic link; give the file itself (or a new name)`);
  }
  if (existing !== null && !existing.isFile()) return inPlace(out);
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.${randomBytes(6).toString('hex')}.partial`);
  let file;
  try {
    file = await open(partial, 'wx', 0o600);
  } catch (error) {
    if (existing !== null && ['EACCES', 'EPERM', 'EROFS'].includes(errorCode(error) ?? '')) return inPlace(out);
    // The operator named `out`: say why it cannot be written in its name, not the temporary one's.
    if (error instanceof Error) error.message = error.message.replace(partial, out);
    throw error;
  }
  return {
    output: file.createWriteStream(),
    commit: async () => {
      try {
        await rename(partial, out);
      } catch (error) {
        if (!['EXDEV', 'EBUSY'].includes(errorCode(error) ?? '')) throw error;
        await copyFile(partial, out);
        await rm(partial, { force: true });
      }
    },
    discard: () => rm(partial, { force: true }),
    abandon: () => rmSync(partial, { force: true }),
  };
}

interface ExportOptions {
  format?: string;
  out?: string;
  brand?: string;
  thinkLevel?: string;
  feelLevel?: string;
  status?: string;
  abandonReason?: string;
  label?: string;
  origin?: string;
  since?: string;
  until?: string;
  pseudonymise?: boolean;
}

/** The export's filter from its options, validated as the HTTP query is (throws the same messages). */
const exportFilterOf = (options: ExportOptions): ReturnType<typeof parseExportFilter> =>
  parseExportFilter({
    format: options.format,
    brand: options.brand,
    thinkLevel: options.thinkLevel,
    feelLevel: options.feelLevel,
    status: options.status,
    abandonReason: options.abandonReason,
    label: options.label,
    origin: options.origin,
    since: options.since,
    until: options.until,
    pseudonymise: options.pseudonymise ? 'true' : undefined,
  });

@Command({ name: EXPORT_COMMAND, description: 'Export every stored conversation as CSV or JSON Lines.' })
export class ExportConversationsCommand extends StrictCommand {
  constructor(private readonly exporter: ConversationExportService) {
    super();
  }

  async run(_args: string[], options: ExportOptions): Promise<void> {
    const interrupts = new ExportInterrupts();
    try {
      // Refused options fail here with the line `usageError` gives.
      const filter = exportFilterOf(options);
      // Refuses a pseudonymised export without its key before the file is created; reads nothing yet.
      const lines = this.exporter.lines(filter, AuditActor.Cli);
      if (!options.out) {
        await writeLines(lines, process.stdout, interrupts.stopped);
        return;
      }
      const target = await openExportTarget(options.out);
      interrupts.onInterrupt(() => target.abandon());
      const { output } = target;
      let complete = false;
      try {
        const written = await writeLines(lines, output, interrupts.stopped);
        output.end();
        await finished(output);
        await target.commit();
        complete = true;
        process.stderr.write(
          `exported ${filter.format === 'csv' ? written - 1 : written} conversation(s) to ${options.out}\n`,
        );
      } finally {
        output.destroy();
        if (!complete) await target.discard();
      }
    } catch (error) {
      // An interrupt says nothing more: its exit code tells the shell.
      if (!(error instanceof ExportInterrupted))
        fail(`export failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      interrupts.end();
    }
  }

  override usageError(options: ExportOptions): string | null {
    try {
      exportFilterOf(options);
      return null;
    } catch (error) {
      return `export failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  @Option({ flags: '--format <format>', description: 'csv (default) or jsonl' })
  parseFormat(value: string): string {
    return value;
  }

  @Option({ flags: '-o, --out <file>', description: 'write to a file instead of standard output' })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--brand <brand>', description: 'only this brand: Basic or Lulu' })
  parseBrand(value: string): string {
    return value;
  }

  @Option({ flags: '--think-level <level>', description: 'only this think level: High or Low' })
  parseThinkLevel(value: string): string {
    return value;
  }

  @Option({ flags: '--feel-level <level>', description: 'only this feel level: High or Low' })
  parseFeelLevel(value: string): string {
    return value;
  }

  @Option({ flags: '--status <status>', description: 'in_progress, completed or abandoned' })
  parseStatus(value: string): string {
    return value;
  }

  @Option({
    flags: '--abandon-reason <reason>',
    description: 'only conversations abandoned this way: idle (past CONVERSATION_TTL), reset or erased',
  })
  parseAbandonReason(value: string): string {
    return value;
  }

  @Option({ flags: '--label <label>', description: 'only this label: A, B, C, Other or unclassified' })
  parseLabel(value: string): string {
    return value;
  }

  @Option({ flags: '--origin <origin>', description: 'greeting (the chat page) or no_greeting (load-test posts)' })
  parseOrigin(value: string): string {
    return value;
  }

  @Option({ flags: '--since <date>', description: 'only conversations created at or after this ISO 8601 date' })
  parseSince(value: string): string {
    return value;
  }

  @Option({ flags: '--until <date>', description: 'only conversations created before this ISO 8601 date' })
  parseUntil(value: string): string {
    return value;
  }

  @Option({
    flags: '--pseudonymise',
    description: 'replace every e-mail address by its HMAC-SHA256 under EXPORT_PSEUDONYM_KEY',
  })
  parsePseudonymise(): boolean {
    return true;
  }
}

interface EraseOptions {
  conversation?: string;
  email?: string;
}

@Command({
  name: ERASE_COMMAND,
  description:
    'Erase a participant (transcript, e-mail, completion code), keeping an anonymous tombstone so arm counts stay true.',
})
export class EraseParticipantCommand extends StrictCommand {
  constructor(private readonly participants: ParticipantDataService) {
    super();
  }

  override usageError(options: EraseOptions): string | null {
    if (Boolean(options.conversation) === Boolean(options.email)) {
      return 'erase-participant needs exactly one of --conversation <id> and --email <address>';
    }
    // Pasted from a mail client (`Name <a@b.org>`, `mailto:a@b.org`, a trailing period), it would match nothing and
    // the operator would believe the participant has no data.
    if (options.email !== undefined && !isOneAddress(options.email)) {
      return `erase-participant: ${JSON.stringify(options.email)} is not one e-mail address; give the address alone`;
    }
    if (options.conversation !== undefined && !isConversationId(options.conversation)) {
      return (
        `erase-participant: ${JSON.stringify(options.conversation)} is not a conversation id ` +
        '(a UUID, as scenario.conversation_id and the export give it)'
      );
    }
    return null;
  }

  async run(_args: string[], options: EraseOptions): Promise<void> {
    const problem = this.usageError(options);
    if (problem !== null) return fail(problem);
    try {
      if (options.conversation) {
        print(await this.participants.eraseConversation(options.conversation, AuditActor.Cli));
        return;
      }
      const report = await this.participants.eraseByEmail(options.email as string, AuditActor.Cli);
      print(report);
      // Not an error: a repeated erasure, or an address retention already cleared, finds nothing to erase.
      if (report.matched === 0) {
        process.stderr.write(
          'no stored conversation carries that e-mail, in its e-mail field or transcript: nothing to erase\n',
        );
      }
    } catch (error) {
      fail(`erase-participant failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  @Option({ flags: '--conversation <id>', description: 'the conversation id (scenario.conversation_id)' })
  parseConversation(value: string): string {
    return value;
  }

  @Option({
    flags: '--email <address>',
    description: 'every conversation that carries this e-mail (any letter case), in its e-mail field or transcript',
  })
  parseEmail(value: string): string {
    return value;
  }
}

@Command({
  name: RETENTION_RUN_COMMAND,
  description:
    'Run the data-retention step once now, as its schedule does (DATA_RETENTION_DAYS), and print what it changed.',
})
export class RetentionRunCommand extends StrictCommand {
  constructor(
    private readonly participants: ParticipantDataService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(): Promise<void> {
    try {
      // The scheduled job's own step, audited as the CLI's.
      const report = await this.participants.applyRetention(new Date(), AuditActor.Cli);
      if (report === null) {
        // cli.ts refuses before the start; this holds should the command ever be run another way.
        process.stderr.write(`${retentionRefusal([RETENTION_RUN_COMMAND], this.config) ?? 'retention is off'}\n`);
        process.exitCode = SETTING_REQUIRED_EXIT_CODE;
        return;
      }
      print(report);
    } catch (error) {
      fail(`${RETENTION_RUN_COMMAND} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/**
 * Without Redis each process has queues of its own in memory: the ones this command reads belong to the CLI process,
 * hold nothing and are gone when it exits. The API's jobs are in the API's memory, out of any other process's reach.
 */
export const IN_PROCESS_QUEUES_WARNING =
  'warning: no REDIS_HOST: these are this command’s own in-process queues, always empty; the API’s jobs live in ' +
  'its own memory and no other process can see them (set REDIS_HOST to share queues)';

@Command({ name: QUEUE_STATUS_COMMAND, description: 'Job counts per queue, workers consuming, repeatable schedules.' })
export class QueueStatusCommand extends StrictCommand {
  constructor(
    private readonly jobs: JobsService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(): Promise<void> {
    if (this.jobs.backend === 'in-process') process.stderr.write(`${IN_PROCESS_QUEUES_WARNING}\n`);
    try {
      const waitMs = timerDelay(Math.max(this.config.redis.connectTimeoutMs, 1000) * 2);
      if (!(await this.jobs.ready(waitMs))) {
        const { host, port } = this.config.redis;
        fail(`queue:status failed: Redis at ${host ?? ''}:${port} did not answer within ${waitMs} ms`);
        return;
      }
      const counts = await this.jobs.counts();
      const schedules = await this.jobs.queue('maintenance').getRepeatableJobs();
      print({
        backend: this.jobs.backend,
        queues: counts,
        schedules: schedules.map(({ name, cron }) => ({ name, cron })),
      });
    } catch (error) {
      fail(`queue:status failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

export const COMMANDS = [
  PreloadModelsCommand,
  WarmCacheCommand,
  HealthCheckCommand,
  StartOptimizedServicesCommand,
  ExportConversationsCommand,
  EraseParticipantCommand,
  RetentionRunCommand,
  QueueStatusCommand,
];
