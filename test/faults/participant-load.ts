import { randomInt } from 'node:crypto';
import { FAKE_LLM_MARKER } from '../support/fake-llm';
import { parseJson, responseProblems } from './response-hygiene';

/** What a participant's conversation is, as the scenario the server hands out and the page echoes. */
interface Scenario {
  brand: string;
  think_level: 'High' | 'Low';
  feel_level: string;
  conversation_id: string;
  [key: string]: unknown;
}

export type RequestKind = 'greet' | 'turn' | 'closing';
export type Outcome = 'http' | 'connection-error' | 'timeout';

/** One HTTP attempt of a participant, as measured by the client. */
export interface RequestRecord {
  participant: number;
  kind: RequestKind;
  method: 'GET' | 'POST';
  path: string;
  /** The index sent with a turn (the step it answers); null for greetings and closing prompts. */
  step: number | null;
  conversationId: string | null;
  thinkLevel: 'High' | 'Low' | null;
  startedAt: number;
  endedAt: number;
  outcome: Outcome;
  status: number | null;
  /** The body, cut to what a report needs. */
  body: string;
  code: string | null;
  retryAfter: string | null;
  /** A turn answered by the LLM (its reply carries the fake's marker) rather than an offline template. */
  llmReply: boolean;
  /** Rule 1 problems of this answer. */
  problems: string[];
  /** The replica that answered, when a proxy names it (`X-Combot-Replica`); null otherwise. */
  replica: string | null;
  /** The answer's `X-Request-Id` (a proxy's log names the request by it). */
  requestId: string | null;
}

/** The steps of one conversation the server acknowledged (answered 200), by the participant's account. */
export interface ConversationAccount {
  conversationId: string;
  thinkLevel: 'High' | 'Low';
  greeted: boolean;
  steps: Set<number>;
  /** Whether the email step (6) was acknowledged. */
  completed: boolean;
  /** Whether some request of it failed before it was acknowledged (it was interrupted and retried). */
  interrupted: boolean;
}

const COMPLAINTS = [
  'The blender I bought last week stopped working and now smells of burning plastic',
  'My parcel was due ten days ago and the tracking page has not changed since',
  'The cashier shouted at me and refused to give me a receipt for my purchase',
  'I was billed twice for the same subscription month and nobody replies to me',
];
const ANSWERS = [
  'It started on Monday.',
  'I tried twice already.',
  'Yes, as intended.',
  'A refund, please.',
  'That is all.',
];

const REQUEST_TIMEOUT_MS = 15_000;
const MAX_RETRY_AFTER_S = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Participants stop retrying and leave when this is set and its time has passed. */
class GiveUp extends Error {}

/**
 * About `count` participants that each run whole conversations the way the React page does: the greeting, then
 * index 0..6 echoing `scenario`, the email prompt after step 5 and a valid email at 6. A 503 is retried after its
 * `Retry-After`, a connection error or timeout after a short pause, each time with the same body (a repeated POST
 * for an answered step replays the stored answer), so every conversation completes once the service is back.
 */
export class ParticipantLoad {
  readonly records: RequestRecord[] = [];
  readonly conversations = new Map<string, ConversationAccount>();
  /** Answers that did not move the conversation exactly one step, described. */
  readonly anomalies: string[] = [];
  private stopping = false;
  private giveUpAt = Number.POSITIVE_INFINITY;
  private running: Promise<void>[] = [];
  private serial = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly count: number,
    private readonly thinkTimeMs: [number, number] = [150, 500],
  ) {}

  start(): void {
    this.running = Array.from({ length: this.count }, (_, participant) => this.participate(participant));
  }

  /**
   * Lets each participant finish the conversation it is in (retrying through the fault's tail), then waits for
   * all; after `drainMs` they give up, leaving their conversation unfinished (which the checks then report).
   */
  async stop(drainMs: number): Promise<void> {
    this.stopping = true;
    this.giveUpAt = Date.now() + drainMs;
    await Promise.all(this.running);
  }

  private async participate(participant: number): Promise<void> {
    // Spread the start so the participants are not in lockstep.
    await sleep(randomInt(0, 400));
    while (!this.stopping) {
      try {
        await this.converse(participant);
      } catch (error) {
        if (!(error instanceof GiveUp)) throw error;
        return;
      }
    }
  }

  private async converse(participant: number): Promise<void> {
    const jar: { cookie: string | null } = { cookie: null };
    const greeting = await this.send(participant, jar, 'greet', 'GET', '/api/random/initial/', null, null);
    let scenario = (greeting as { scenario: Scenario }).scenario;
    const greetedAt = Date.now();
    const account: ConversationAccount = {
      conversationId: scenario.conversation_id,
      thinkLevel: scenario.think_level,
      greeted: true,
      steps: new Set(),
      completed: false,
      interrupted: false,
    };
    this.conversations.set(account.conversationId, account);
    const chatLog: { text: string; sender: string }[] = [{ text: String(greeting.message), sender: 'bot' }];
    const serial = ++this.serial;

    for (let index = 0; index <= 6; index++) {
      await sleep(randomInt(this.thinkTimeMs[0], this.thinkTimeMs[1]));
      const message =
        index === 0
          ? `${COMPLAINTS[serial % COMPLAINTS.length]} (order ${serial}).`
          : index === 6
            ? `participant-${participant}-${serial}@example.org`
            : ANSWERS[index - 1];
      const body = {
        message,
        index,
        timer: (Date.now() - greetedAt) / 1000,
        classType: '',
        chatLog,
        messageTypeLog: [],
        scenario,
      };
      const answer = await this.send(participant, jar, 'turn', 'POST', '/api/random/', body, account);
      account.steps.add(index);
      const expected = index === 6 ? 7 : index + 1;
      if (answer.index !== expected) {
        this.anomalies.push(
          `conversation ${account.conversationId.slice(0, 8)}: index ${index} answered with index ${String(answer.index)}, expected ${expected}`,
        );
      }
      scenario = (answer.scenario as Scenario | undefined) ?? scenario;
      chatLog.push({ text: message, sender: 'user' }, { text: String(answer.reply), sender: 'bot' });
      if (answer.callClosingMessage === true) {
        await sleep(randomInt(this.thinkTimeMs[0], this.thinkTimeMs[1]));
        await this.send(participant, jar, 'closing', 'GET', '/api/random/closing/', null, account);
      }
    }
    account.completed = true;
  }

  /** One request, repeated until it is answered 200; every attempt is recorded. */
  private async send(
    participant: number,
    jar: { cookie: string | null },
    kind: RequestKind,
    method: 'GET' | 'POST',
    path: string,
    body: Record<string, unknown> | null,
    account: ConversationAccount | null,
  ): Promise<Record<string, unknown>> {
    for (;;) {
      if (this.stopping && Date.now() > this.giveUpAt) throw new GiveUp();
      const startedAt = Date.now();
      const record: RequestRecord = {
        participant,
        kind,
        method,
        path,
        step: body ? (body.index as number) : null,
        conversationId: account?.conversationId ?? null,
        thinkLevel: account?.thinkLevel ?? null,
        startedAt,
        endedAt: startedAt,
        outcome: 'http',
        status: null,
        body: '',
        code: null,
        retryAfter: null,
        llmReply: false,
        problems: [],
        replica: null,
        requestId: null,
      };
      let wait: number;
      try {
        const response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            ...(body ? { 'Content-Type': 'application/json' } : {}),
            ...(jar.cookie ? { Cookie: jar.cookie } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        record.endedAt = Date.now();
        record.status = response.status;
        record.retryAfter = response.headers.get('retry-after');
        record.replica = response.headers.get('x-combot-replica') || null;
        record.requestId = response.headers.get('x-request-id');
        record.body = text.slice(0, 600);
        record.problems = responseProblems(response.status, record.retryAfter, text);
        const parsed = parseJson(text);
        const json = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
        record.code = typeof json.code === 'string' ? json.code : null;
        const cookie = response.headers.getSetCookie().find((value) => value.startsWith('combot_sid='));
        if (cookie) jar.cookie = cookie.split(';')[0];
        if (response.status === 200) {
          const scenario = json.scenario as Partial<Scenario> | undefined;
          record.conversationId ??= scenario?.conversation_id ?? null;
          record.thinkLevel ??= scenario?.think_level ?? null;
          record.llmReply = typeof json.reply === 'string' && json.reply.includes(FAKE_LLM_MARKER);
          this.records.push(record);
          return json;
        }
        if (account) account.interrupted = true;
        wait =
          response.status === 503
            ? Math.min(Number(record.retryAfter) || 1, MAX_RETRY_AFTER_S) * 1000
            : // What the page does on any other error: the participant tries again a moment later.
              1000;
      } catch (error) {
        record.endedAt = Date.now();
        const name = error instanceof Error ? error.name : '';
        record.outcome = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection-error';
        record.body =
          error instanceof Error ? String((error.cause as Error | undefined)?.message ?? error.message) : '';
        if (account) account.interrupted = true;
        wait = 300;
      }
      this.records.push(record);
      await sleep(wait);
    }
  }
}
