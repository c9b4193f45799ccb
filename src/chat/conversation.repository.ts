import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedStatements } from '../database/prepared-statements';
import type { Brand, Condition, ConversationOrigin, EntryPoint, Level } from './chat.types';
import { AbandonReason, ConversationStatus, NEW_CONVERSATION_PROGRESS, Step } from './chat.types';
import { conditionOf, takeSlotCte, type SlotRow, type SqlRunner } from './condition-slot.repository';
import { ConversationEntity } from './conversation.entity';
import type { ConversationFilter } from './conversation-filters.dto';
import {
  addressKey,
  emailsIn,
  emailsInHtml,
  IGNORABLE_RANGES,
  isOneAddress,
  namesAddress,
  replaceEmails,
  replaceEmailsInHtml,
  typedBefore,
} from './email-address';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Whether `id` can name a conversation: a UUID, checked before it reaches a uuid column (which would refuse it). */
export const isConversationId = (id: string): boolean => UUID.test(id);

export interface NewConversation {
  id: string;
  entryPoint: EntryPoint;
  origin: ConversationOrigin;
  contentVersion: string;
}

/** The greeting a condition is shown, as the one-statement start matches it to the drawn arm. */
export interface GreetingText {
  brand: Brand;
  think_level: Level;
  text: string;
}

export interface StepWrite {
  conversationId: string;
  step: number;
  participantText: string;
  replyText: string;
  messageType: string | null;
  response: object;
  /**
   * Milliseconds the server spent on the step before storing it, from the participant's message arriving
   * (classification, the LLM). The participant's turn is stored that much before the reply, at the time it
   * arrived: the interval a participant took to answer then never includes the server's work, which differs
   * between arms (only think-Low turns wait for the LLM).
   */
  handlingMs: number;
  /**
   * Columns of the conversation row that change with this step. Not the completion time or the duration: a move to
   * `completed` sets both, on the database's clock.
   */
  changes: Partial<Omit<ConversationEntity, 'completedAt' | 'durationMs'>>;
}

/** Stored conversations per arm and status. */
export interface ArmStatusCount {
  brand: Brand;
  think_level: Level;
  feel_level: Level;
  status: ConversationStatus;
  origin: ConversationOrigin;
  count: number;
}

/** Keyset position of an export page: the last row's creation time and id. */
export interface ExportCursor {
  createdAt: Date;
  id: string;
}

/** Which conversations an export holds: the filters the console's browser takes too. */
export type ExportQuery = ConversationFilter;

/**
 * The SQL conditions of `filter` on the conversation table (columns unqualified, or under `alias`), each value
 * through `param`, which adds it to the statement's parameters and returns its placeholder. Shared by the export
 * and the console's browser, so the two never disagree on which conversations a filter means.
 */
export function conversationFilterConditions(
  filter: ConversationFilter,
  param: (value: unknown) => string,
  alias = '',
): string[] {
  const column = (name: string): string => (alias ? `${alias}.${name}` : name);
  const where: string[] = [];
  if (filter.brand) where.push(`${column('brand')} = ${param(filter.brand)}`);
  if (filter.thinkLevel) where.push(`${column('think_level')} = ${param(filter.thinkLevel)}`);
  if (filter.feelLevel) where.push(`${column('feel_level')} = ${param(filter.feelLevel)}`);
  if (filter.status) where.push(`${column('status')} = ${param(filter.status)}`);
  if (filter.abandonReason) where.push(`${column('abandon_reason')} = ${param(filter.abandonReason)}`);
  if (filter.origin) where.push(`${column('origin')} = ${param(filter.origin)}`);
  if (filter.label === 'unclassified') where.push(`${column('label')} IS NULL`);
  else if (filter.label) where.push(`${column('label')} = ${param(filter.label)}`);
  if (filter.since) where.push(`${column('created_at')} >= ${param(filter.since)}`);
  if (filter.until) where.push(`${column('created_at')} < ${param(filter.until)}`);
  return where;
}

/**
 * The longest duration `duration_ms` (a PostgreSQL integer) holds: 24.8 days. A conversation completed later keeps a
 * null duration; completed_at − created_at still gives it, and the console's duration panel is spared the outlier.
 */
const MAX_STORED_DURATION_MS = 2_147_483_647;

/** A PostgreSQL bracket expression of the characters `addressKey` drops (they render as nothing). */
const IGNORABLE_CHARACTERS = `[${IGNORABLE_RANGES.map(([first, last]) =>
  first === last ? String.fromCodePoint(first) : `${String.fromCodePoint(first)}-${String.fromCodePoint(last)}`,
).join('')}]`;

/** The at signs an address is found with (`email-address.ts`): ASCII, full-width and small; NFKC makes them all `@`. */
const AT_SIGNS = ['@', '\uff20', '\ufe6b'];

/**
 * A PostgreSQL regular expression every text holding an address `replaceEmails` finds matches (and few others do):
 * `@` (or a full-width or small one), a domain label, a dot (or a full-width or ideographic one), two letters of a
 * top-level domain, where any non-ASCII character counts as a letter.
 */
const TYPED_ADDRESS_SIEVE = String.raw`[@\uff20\ufe6b][A-Za-z0-9\u0080-\U0010ffff][A-Za-z0-9.\u0080-\U0010ffff-]*[.\uff0e\u3002\uff61][A-Za-z\u0080-\U0010ffff]{2}`;

/**
 * A turn's time in the export: UTC, milliseconds, `Z`, as the conversation's own times are written (JavaScript's
 * ISO form). PostgreSQL's JSON form of a timestamptz follows the session's time zone and drops trailing zeros, so
 * an export from a connection under another zone (a CLI on a database whose default is not UTC) would differ.
 */
const TURN_TIME_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/** Every stored conversation column, in export order (the transcript follows as `turns`). */
export const EXPORT_COLUMNS = [
  'id',
  'entry_point',
  'origin',
  'brand',
  'think_level',
  'feel_level',
  'status',
  'abandon_reason',
  'step',
  'label',
  'score_a',
  'score_b',
  'score_c',
  'score_other',
  'model_id',
  'model_revision',
  'content_version',
  'email',
  'completion_code',
  'client_timer_seconds',
  'duration_ms',
  'created_at',
  'updated_at',
  'last_activity_at',
  'completed_at',
  'abandoned_at',
  'erased_at',
] as const;

/**
 * Whose conversations to erase: one by its id, or every one that carries an e-mail address (any letter case), in its
 * e-mail field or anywhere in its transcript.
 */
export type ErasureTarget = { id: string } | { email: string };

/** How the erasure found a conversation: by its id, by its e-mail field, or by an address in its transcript only. */
export type ErasureMatch = 'id' | 'email' | 'transcript';

/** A conversation the erasure found: how, when it was erased, and whether this erasure changed anything. */
export interface ErasedConversation {
  id: string;
  erasedAt: Date;
  changed: boolean;
  matchedBy: ErasureMatch;
}

export interface ExportRow extends Record<(typeof EXPORT_COLUMNS)[number], unknown> {
  turns: {
    sender: string;
    kind: string;
    step: number;
    text: string;
    message_type: string | null;
    created_at: string;
  }[];
}

/** `value` with `map` applied to every string in it, at any depth (a stored reply: objects, arrays, strings). */
function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  }
  return value;
}

/**
 * A stored reply (the response kept for replays) with `map` applied to every string, and `mapHtml` to its `reply`,
 * which is text escaped for HTML (or the survey link's HTML). Its keys keep their order.
 */
function mapStoredReply(response: unknown, map: (text: string) => string, mapHtml: (html: string) => string): unknown {
  if (typeof response !== 'object' || response === null || Array.isArray(response)) return mapStrings(response, map);
  return Object.fromEntries(
    Object.entries(response).map(([key, item]) => [
      key,
      key === 'reply' && typeof item === 'string' ? mapHtml(item) : mapStrings(item, map),
    ]),
  );
}

/**
 * Whether a stored reply holds a string that passes `test`, its `reply` (escaped for HTML) tested by `testHtml`:
 * the same walk as the redaction, so what is tested is exactly what would be redacted.
 */
function storedReplyHolds(response: unknown, test: (text: string) => boolean, testHtml: (html: string) => boolean) {
  let holds = false;
  const visit =
    (passes: (text: string) => boolean) =>
    (text: string): string => {
      holds ||= passes(text);
      return text;
    };
  mapStoredReply(response, visit(test), visit(testHtml));
  return holds;
}

/**
 * PostgreSQL access for conversations and turns; no conversation rules live here. What every chat turn runs (find,
 * start, save, replay) goes out as prepared statements with fixed text; the rest through TypeORM.
 */
@Injectable()
export class ConversationRepository {
  private readonly prepared: PreparedStatements;
  /** `SELECT` of every conversation column under its property name, from the entity's metadata, built once. */
  private selectConversation: string | null = null;

  constructor(private readonly dataSource: DataSource) {
    this.prepared = new PreparedStatements(dataSource);
  }

  async findById(id: unknown): Promise<ConversationEntity | null> {
    if (typeof id !== 'string' || !isConversationId(id)) return null;
    this.selectConversation ??= `SELECT ${this.dataSource
      .getMetadata(ConversationEntity)
      .columns.map((column) => `${column.databaseName} AS "${column.propertyName}"`)
      .join(', ')} FROM conversation WHERE id = $1`;
    const [row] = await this.prepared.query<ConversationEntity>(this.selectConversation, [id]);
    return row ?? null;
  }

  /**
   * Starts a conversation on the next free slot of `scope` in one statement: the slot claim, the conversation row
   * and (when `greetings` names the text per brand × think level) the greeting turn, so a greeting costs one
   * round trip and holds no lock between round trips. `undefined` when the scope had no free slot.
   */
  async startOnFreeSlot(
    values: NewConversation,
    scope: Brand | 'random',
    greetings: GreetingText[],
    query?: SqlRunner,
  ): Promise<ConversationEntity | undefined> {
    const run: SqlRunner = query ?? (<R>(text: string, values: unknown[]) => this.prepared.query<R>(text, values));
    const [row] = await run<SlotRow & { created_at: Date }>(
      `WITH ${takeSlotCte('$2', '$1')},
         created AS (
           INSERT INTO conversation (id, entry_point, origin, brand, think_level, feel_level, status, step,
                                     content_version)
           SELECT $1, $3, $7, brand, think_level, feel_level, $4, 0, $5 FROM taken
           RETURNING id, brand, think_level, feel_level, created_at),
         greeting AS (
           INSERT INTO conversation_turn (conversation_id, sender, kind, step, text)
           SELECT created.id, 'bot', 'greeting', -1, g.text
             FROM created JOIN jsonb_to_recordset($6::jsonb) AS g(brand text, think_level text, text text)
               ON g.brand = created.brand AND g.think_level = created.think_level)
         SELECT brand, think_level, feel_level, created_at FROM created`,
      [
        values.id,
        scope,
        values.entryPoint,
        ConversationStatus.InProgress,
        values.contentVersion,
        JSON.stringify(greetings),
        values.origin,
      ],
    );
    return row && this.newEntity(values, conditionOf(row), row.created_at);
  }

  private newEntity(values: NewConversation, condition: Condition, createdAt: Date): ConversationEntity {
    return this.dataSource.getRepository(ConversationEntity).create({
      ...values,
      ...condition,
      status: ConversationStatus.InProgress,
      ...NEW_CONVERSATION_PROGRESS,
      createdAt,
    });
  }

  /** The answer already given for a step, to replay on a repeated POST. */
  async storedReply(conversationId: string, step: number): Promise<object | null> {
    const [turn] = await this.prepared.query<{ response: object | null }>(
      `SELECT response FROM conversation_turn WHERE conversation_id = $1 AND step = $2 AND kind = 'reply'`,
      [conversationId, step],
    );
    return turn?.response ?? null;
  }

  /**
   * Stores one answered step atomically: both turns and the conversation's move to the next step.
   * Returns false when another request already answered this step (the step moved, or the unique
   * turn key refused the insert); the caller then replays the stored answer.
   */
  async saveStep(write: StepWrite): Promise<boolean> {
    // One statement, so atomic without a transaction's extra round trips: the step moves only if it is still
    // the one answered, and the two turns are inserted only if it moved.
    const params: unknown[] = [write.conversationId, write.step, write.step + 1];
    // Never later than the reply, never before the conversation began (a first turn that started it).
    const handlingMs = Number.isFinite(write.handlingMs) && write.handlingMs > 0 ? write.handlingMs : 0;
    const param = (value: unknown): string => `$${params.push(value)}`;
    const metadata = this.dataSource.getMetadata(ConversationEntity);
    const sets = Object.entries(write.changes).map(([property, value]) => {
      const column = metadata.findColumnWithPropertyName(property);
      if (!column) throw new Error(`conversation has no column for ${property}`);
      if (property === 'completedAt' || property === 'durationMs')
        throw new Error(`${property} is set by the move to completed, on the database's clock`);
      return `${column.databaseName} = ${param(value)}`;
    });
    // Completion is timed on the database's clock, as the turns stored by this statement and the creation time are:
    // completed_at is the e-mail step's reply time, and duration_ms never mixes two machines' clocks.
    if (write.changes.status === ConversationStatus.Completed)
      sets.push(
        'completed_at = now()',
        `duration_ms = CASE WHEN now() - created_at <= make_interval(secs => ${MAX_STORED_DURATION_MS / 1000})
                       THEN floor(extract(epoch FROM now() - created_at) * 1000)::int END`,
      );
    // A step answered on a conversation marked abandoned (idle past the TTL, or reset) means the participant came
    // back: it is in progress again (or completed, by the e-mail), so status never contradicts the step it reached,
    // and a reason for leaving stays only on a conversation that is abandoned.
    if (write.changes.status === undefined) {
      const cameBack = `status = '${ConversationStatus.Abandoned}'`;
      sets.push(
        `status = CASE WHEN ${cameBack} THEN '${ConversationStatus.InProgress}' ELSE status END`,
        `abandon_reason = CASE WHEN ${cameBack} THEN NULL ELSE abandon_reason END`,
        `abandoned_at = CASE WHEN ${cameBack} THEN NULL ELSE abandoned_at END`,
      );
    } else if (write.changes.status !== ConversationStatus.Abandoned) {
      sets.push('abandon_reason = NULL', 'abandoned_at = NULL');
    }
    try {
      const [{ saved }] = await this.prepared.query<{ saved: number }>(
        `WITH moved AS (
           UPDATE conversation SET ${[...sets, 'step = $3', 'last_activity_at = now()', 'updated_at = now()'].join(', ')}
            WHERE id = $1 AND step = $2 AND erased_at IS NULL RETURNING id, created_at),
         saved AS (
           INSERT INTO conversation_turn (conversation_id, sender, kind, step, text, message_type, response, created_at)
           SELECT moved.id, turn.sender, turn.kind, $2, turn.text, turn.message_type, turn.response,
                  greatest(now() - make_interval(secs => turn.before_ms / 1000), moved.created_at)
             FROM moved CROSS JOIN (VALUES
               ('participant', 'message', ${param(write.participantText)}::text, NULL::varchar, NULL::jsonb,
                ${param(handlingMs)}::float8),
               ('bot', 'reply', ${param(write.replyText)}::text, ${param(write.messageType)}::varchar,
                ${param(JSON.stringify(write.response))}::jsonb, 0::float8))
               AS turn(sender, kind, text, message_type, response, before_ms)
           RETURNING id)
         SELECT count(*)::int AS saved FROM saved`,
        params,
      );
      return saved === 2;
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return false; // unique_violation: a concurrent twin won
      throw error;
    }
  }

  /**
   * Stores the e-mail prompt once, and only while the conversation waits for its e-mail and is not erased: asked
   * for earlier, the transcript would say the prompt was shown out of turn. The row is read `FOR SHARE`, so a
   * prompt that waited for an erasure's lock re-reads the row after it and stores nothing on an erased conversation.
   */
  async recordClosingPrompt(conversationId: string, text: string): Promise<void> {
    await this.prepared.query(
      `INSERT INTO conversation_turn (conversation_id, sender, kind, step, text)
       SELECT id, 'bot', 'closing_prompt', $3, $2 FROM conversation
        WHERE id = $1 AND step = $3 AND erased_at IS NULL
          FOR SHARE
       ON CONFLICT DO NOTHING`,
      [conversationId, text, Step.Email],
    );
  }

  /**
   * Marks a conversation still at its first step active the moment its complaint arrives, before the classifier and
   * the LLM answer it: until that answer is stored the step stays 0, and a reload meanwhile must not be greeted
   * with this conversation again (`ChatService.greet`), or the complaint typed after it would be taken for a replay.
   */
  async markComplaintArrived(conversationId: string): Promise<void> {
    await this.prepared.query(
      `UPDATE conversation SET last_activity_at = clock_timestamp() WHERE id = $1 AND step = $2`,
      [conversationId, Step.Complaint],
    );
  }

  /**
   * Erases participants in one transaction: deletes the conversations' turns (everything a participant typed) and
   * clears their e-mail and completion code, keeping the row (condition, status, origin, label, scores, times) as
   * an anonymous tombstone that still holds its condition slot, so arm counts stay true. A conversation still in
   * progress becomes abandoned: it will not go on (no later step is stored on an erased row), and the console's
   * funnel must not count it as waiting. Erasing again changes nothing; an unknown or malformed id, or an e-mail no
   * row carries, finds nothing.
   */
  async erase(target: ErasureTarget): Promise<ErasedConversation[]> {
    let found: Map<string, ErasureMatch>;
    if ('id' in target) {
      if (!isConversationId(target.id)) return [];
      found = new Map([[target.id, 'id']]);
    } else {
      found = await this.carrying(target.email);
    }
    if (found.size === 0) return [];
    return this.dataSource.transaction(async (manager) => {
      // The lock is taken in a statement of its own: a step being stored meanwhile commits first, and the next
      // statement's snapshot then holds its turns, so they are deleted too; a step stored later finds the row
      // erased and stores nothing (`saveStep` skips erased rows). In one statement its turns would survive.
      const locked = await manager.query<{ id: string }[]>(
        `SELECT id FROM conversation WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
        [[...found.keys()]],
      );
      if (locked.length === 0) return [];
      const rows = await manager.query<{ id: string; erased_at: Date; changed: boolean }[]>(
        `WITH turns AS (
           DELETE FROM conversation_turn WHERE conversation_id = ANY($1::uuid[]) RETURNING conversation_id),
         erased AS (
           UPDATE conversation SET email = NULL, completion_code = NULL, erased_at = now(), updated_at = now(),
                  abandon_reason = CASE WHEN status = $2 THEN $4 ELSE abandon_reason END,
                  abandoned_at = CASE WHEN status = $2 THEN now() ELSE abandoned_at END,
                  status = CASE WHEN status = $2 THEN $3 ELSE status END
            WHERE id = ANY($1::uuid[]) AND erased_at IS NULL
           RETURNING id, erased_at)
         SELECT c.id, COALESCE(erased.erased_at, c.erased_at) AS erased_at,
                (erased.id IS NOT NULL OR EXISTS (SELECT 1 FROM turns WHERE turns.conversation_id = c.id)) AS changed
           FROM conversation c LEFT JOIN erased ON erased.id = c.id
          WHERE c.id = ANY($1::uuid[])
          ORDER BY c.id`,
        [locked.map(({ id }) => id), ConversationStatus.InProgress, ConversationStatus.Abandoned, AbandonReason.Erased],
      );
      return rows.map((row) => ({
        id: row.id,
        erasedAt: row.erased_at,
        changed: row.changed,
        matchedBy: found.get(row.id) ?? 'id',
      }));
    });
  }

  /**
   * The conversations that carry `email`, by their e-mail field or, failing that, by an address in any of their turns
   * (what the participant typed, a bot reply that echoed it, the reply stored for replays), in one read. Both compare
   * addresses in Unicode's compatibility-composed form (NFKC: full-width letters are their ASCII ones), letter case
   * folded: the field in SQL under ICU's rules, which fold every letter whatever the database's locale (under C,
   * plain lower() folds ASCII only); the transcript's addresses as
   * the pseudonymised export finds them (`emailsIn`, `namesAddress`), so an address that merely contains the one
   * asked for (`x` + it, or it + `.uk`) is someone else's, while quotes or text typed right before it are not part of
   * it. SQL only sieves the turns: an `@` (or a full-width or small one), then the folded address as a
   * substring, less its last letter, which NFKC may merge with a combining mark typed right after it; the sieved turns
   * are few, and only they are read.
   */
  private async carrying(email: string): Promise<Map<string, ErasureMatch>> {
    const asked = email.trim();
    // An address the pattern would not find whole in a text is in no transcript; searching for less (an empty string,
    // a lone `@`) would sieve every turn.
    const inTranscripts = isOneAddress(asked);
    // As `addressKey`: without invisible characters, NFKC, the ideographic full stop (which NFKC leaves) as a dot,
    // letter case folded.
    const folded = (sql: string): string =>
      `lower(translate(normalize(regexp_replace(${sql}, $3, '', 'g'), NFKC), '\u3002', '.') COLLATE "und-x-icu")`;
    const hasAt = (sql: string): string => AT_SIGNS.map((at) => `strpos(${sql}, '${at}') > 0`).join(' OR ');
    // `&amp;` read as `&`: a stored reply holds its text escaped for HTML.
    const sieve = (sql: string): string =>
      `((${hasAt(sql)}) AND strpos(${folded(`replace(${sql}, '&amp;', '&')`)}, left(wanted.address, -1)) > 0)`;
    const rows = await this.dataSource.query<
      { id: string; by_email: boolean; email_step: boolean; text: string | null; response: string | null }[]
    >(
      `WITH wanted AS (SELECT ${folded('$1')} AS address)
       SELECT c.id, true AS by_email, false AS email_step, NULL AS text, NULL AS response
         FROM conversation c, wanted
        WHERE ${folded('c.email')} = wanted.address
       UNION ALL
       SELECT t.conversation_id, false, t.step = ${Step.Email} AND t.sender = 'participant', t.text, t.response::text
         FROM conversation_turn t, wanted
        WHERE $2 AND (${sieve('t.text')} OR ${sieve('t.response::text')})`,
      [asked, inTranscripts, IGNORABLE_CHARACTERS],
    );
    const key = addressKey(asked);
    const holds = (text: string): boolean => emailsIn(text).some((address) => namesAddress(address, key));
    const htmlHolds = (html: string): boolean => emailsInHtml(html).some((address) => namesAddress(address, key));
    const found = new Map<string, ErasureMatch>();
    for (const row of rows) if (row.by_email) found.set(row.id, 'email');
    for (const row of rows) {
      if (row.by_email || found.has(row.id)) continue;
      const response = row.response === null ? null : (JSON.parse(row.response) as unknown);
      // The e-mail step's message is one address the chat accepted, typed alone: nothing in it was typed around it
      // (`o'connor@…` there is not `connor@…`), so it is compared whole.
      const textHolds = row.email_step ? (text: string) => addressKey(text) === key : holds;
      if ((row.text !== null && textHolds(row.text)) || storedReplyHolds(response, holds, htmlHolds)) {
        found.set(row.id, 'transcript');
      }
    }
    return found;
  }

  /**
   * Retention: conversations created before `cutoff` lose their e-mail, and every address the participant typed in
   * them (the step-6 message whole, any other turn where an address appears) is replaced by `emailReplacement`; with
   * `transcripts` their turns are deleted instead. Returns how many conversations changed; running it again changes
   * none. The turns are chosen by age, not by the e-mails this run cleared, so a turn that committed while the run
   * went on is caught by the next run.
   */
  async ageOut(cutoff: Date, transcripts: boolean, emailReplacement: string): Promise<number> {
    const typed = transcripts ? [] : await this.replaceTypedEmails(cutoff, emailReplacement);
    const [{ changed }] = await this.dataSource.query<{ changed: number }[]>(
      `WITH emails AS (
         UPDATE conversation SET email = NULL, updated_at = now()
          WHERE created_at < $1 AND email IS NOT NULL
         RETURNING id),
       redacted AS (
         UPDATE conversation_turn t SET text = $3 FROM conversation c
          WHERE NOT $2 AND t.conversation_id = c.id AND c.created_at < $1
            AND t.step = ${Step.Email} AND t.sender = 'participant' AND t.text <> $3
         RETURNING t.conversation_id),
       deleted AS (
         DELETE FROM conversation_turn t USING conversation c
          WHERE $2 AND t.conversation_id = c.id AND c.created_at < $1
         RETURNING t.conversation_id),
       aged AS (
         SELECT id FROM emails UNION SELECT conversation_id FROM redacted UNION SELECT conversation_id FROM deleted
         UNION SELECT unnest($4::uuid[])),
       -- A conversation whose turns alone changed is changed too (the export's updated_at says so); the rows that
       -- lost their e-mail above were stamped there (one statement updates a row once).
       touched AS (
         UPDATE conversation SET updated_at = now()
          WHERE id IN (SELECT id FROM aged) AND id NOT IN (SELECT id FROM emails)
         RETURNING id)
       SELECT count(*)::int AS changed FROM aged`,
      [cutoff, transcripts, emailReplacement, typed],
    );
    return changed;
  }

  /**
   * Replaces every e-mail address in the turns of conversations created before `cutoff` — what the participant
   * typed, what the bot echoed of it, and the reply stored with a turn for replays — found in TypeScript by
   * `replaceEmails`, the pattern the pseudonymised export uses, so the two never disagree on what an address is (a
   * SQL regexp would match differently: POSIX longest match, locale-dependent `\s`). The stored reply is parsed and
   * its strings redacted one by one, never its JSON text, where an escape such as `\n` would run into an address
   * and the rewrite would no longer be JSON. Returns the
   * conversations it changed. Reads a page of turns at a time and commits each page's rewrite on its own, so a
   * large study is never held in memory or locked for the whole run; a run cut short leaves work the next finishes.
   */
  private async replaceTypedEmails(cutoff: Date, replacement: string): Promise<string[]> {
    const pageSize = 1000;
    const changed = new Set<string>();
    let after = '0';
    for (;;) {
      // Every address the pattern finds holds `@`, a domain label, a dot and two TLD letters: sieving on that in
      // SQL keeps later runs from reading again the turns whose addresses are gone but whose `@` is not. Any
      // character outside ASCII stands for a letter there (`uni-köln.de`, `例え.jp`): what PostgreSQL's classes
      // call a letter depends on the database's locale, and the pattern that decides is the TypeScript one.
      const page = await this.dataSource.query<
        { id: string; text: string; response: string | null; email: string | null }[]
      >(
        `SELECT t.id, t.text, t.response::text AS response, c.email
           FROM conversation_turn t JOIN conversation c ON c.id = t.conversation_id
          WHERE c.created_at < $1 AND t.id > $2
            AND (t.text ~ $4 OR t.response::text ~ $4)
          ORDER BY t.id
          LIMIT $3`,
        [cutoff, after, pageSize, TYPED_ADDRESS_SIEVE],
      );
      if (page.length === 0) break;
      after = page[page.length - 1].id;
      const rewrites = page
        .map((turn) => {
          // The participant's own address, typed right after a quote, `email=` or words in another script (which the
          // pattern takes in), loses only the address: what they typed before it is research data.
          const own = turn.email === null ? null : addressKey(turn.email);
          const redacting = (found: string): string =>
            `${(own === null ? null : typedBefore(found, own)) ?? ''}${replacement}`;
          const redact = (text: string): string => replaceEmails(text, redacting);
          const response = turn.response === null ? null : (JSON.parse(turn.response) as unknown);
          const redacted = JSON.stringify(
            mapStoredReply(response, redact, (html) => replaceEmailsInHtml(html, redacting)),
          );
          // null: the stored reply stays as it is.
          const replacedResponse = redacted === JSON.stringify(response) ? null : redacted;
          return {
            id: turn.id,
            text: turn.text,
            response: turn.response,
            replaced: redact(turn.text),
            replacedResponse,
          };
        })
        .filter((turn) => turn.replaced !== turn.text || turn.replacedResponse !== null);
      if (rewrites.length > 0) {
        // Only a turn still as it was read is rewritten: one erased or rewritten meanwhile is left alone, uncounted.
        const rows = await this.dataSource.query<{ conversation_id: string }[]>(
          `WITH rewritten AS (
             UPDATE conversation_turn t
                SET text = v.replaced, response = coalesce(v.replaced_response::jsonb, t.response)
               FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
                      AS v(id, text, replaced, response, replaced_response)
              WHERE t.id = v.id AND t.text = v.text AND t.response::text IS NOT DISTINCT FROM v.response
             RETURNING t.conversation_id)
           SELECT DISTINCT conversation_id FROM rewritten`,
          [
            rewrites.map(({ id }) => id),
            rewrites.map(({ text }) => text),
            rewrites.map(({ replaced }) => replaced),
            rewrites.map(({ response }) => response),
            rewrites.map(({ replacedResponse }) => replacedResponse),
          ],
        );
        for (const { conversation_id } of rows) changed.add(conversation_id);
      }
      if (page.length < pageSize) break;
    }
    return [...changed];
  }

  /** Marks in-progress conversations idle for longer than `ttlSeconds` as abandoned (`idle`); idempotent. */
  async abandonStale(ttlSeconds: number): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(ConversationEntity)
      .set({ status: ConversationStatus.Abandoned, abandonReason: AbandonReason.Idle, abandonedAt: () => 'now()' })
      .where('status = :status', { status: ConversationStatus.InProgress })
      .andWhere(`last_activity_at < now() - make_interval(secs => :ttl)`, { ttl: ttlSeconds })
      .execute();
    return result.affected ?? 0;
  }

  /** Marks a conversation in progress abandoned because its page reset it (`reset`); any other is left alone. */
  async abandon(conversationId: string): Promise<void> {
    await this.dataSource
      .getRepository(ConversationEntity)
      .update(
        { id: conversationId, status: ConversationStatus.InProgress },
        { status: ConversationStatus.Abandoned, abandonReason: AbandonReason.Reset, abandonedAt: () => 'now()' },
      );
  }

  /** Conversations in progress (not erased) that began under another study version than `current`, per version. */
  async inProgressOfOtherVersions(current: string): Promise<{ version: string; count: number }[]> {
    const rows = await this.dataSource.query<{ version: string; count: string }[]>(
      `SELECT content_version AS version, count(*) AS count FROM conversation
        WHERE status = $1 AND erased_at IS NULL AND content_version <> $2
        GROUP BY 1 ORDER BY 2 DESC, 1`,
      [ConversationStatus.InProgress, current],
    );
    return rows.map((row) => ({ version: row.version, count: Number(row.count) }));
  }

  /** Conversations per arm, status and origin: one index-only scan of the arm × status × origin index. */
  async countByArmStatusAndOrigin(): Promise<ArmStatusCount[]> {
    const rows = await this.dataSource.query<(Omit<ArmStatusCount, 'count'> & { count: string })[]>(
      'SELECT brand, think_level, feel_level, status, origin, count(*) AS count FROM conversation GROUP BY 1, 2, 3, 4, 5',
    );
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }

  /**
   * One page of the researchers' export in (created_at, id) order, each row with its transcript. The order and the
   * cursor use created_at at the millisecond precision a row's `created_at` is read with (a JS Date), not the
   * microseconds PostgreSQL stores: a cursor taken from the last row then names exactly where that row sorts, and
   * the next page neither repeats it nor loops on rows that share its millisecond.
   */
  exportPage(query: ExportQuery, after: ExportCursor | null, limit: number): Promise<ExportRow[]> {
    const createdMs = `date_trunc('milliseconds', c.created_at)`;
    const params: unknown[] = [];
    const where = conversationFilterConditions(query, (value) => `$${params.push(value)}`, 'c');
    if (after) where.push(`(${createdMs}, c.id) > ($${params.push(after.createdAt)}, $${params.push(after.id)})`);
    return this.dataSource.query<ExportRow[]>(
      `SELECT ${EXPORT_COLUMNS.map((column) => `c.${column}`).join(', ')},
              COALESCE((SELECT json_agg(json_build_object('sender', t.sender, 'kind', t.kind, 'step', t.step,
                         'text', t.text, 'message_type', t.message_type,
                         'created_at', to_char(t.created_at AT TIME ZONE 'UTC', ${TURN_TIME_FORMAT})) ORDER BY t.step, t.id)
                        FROM conversation_turn t WHERE t.conversation_id = c.id), '[]'::json) AS turns
         FROM conversation c
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY ${createdMs}, c.id
        LIMIT ${Number(limit)}`,
      params,
    );
  }
}
