/**
 * Simulated participants running the React page's 7-step flow back to back: either paced (a seeded think time
 * before every message, as a participant reads the reply and types) or with no think time at all (closed loop,
 * a stress test whose latency is set by throughput: p95 ≈ participants ÷ turns per second). Greeting, the complaint at index 0 (unique text: a real inference), five answers, then a valid
 * e-mail at index 6, which must come back as index 7 with `isHtml`. Each request echoes `scenario`, `index` and
 * the growing `chatLog` exactly as the page does. /closing is not called, so a finished conversation stores 15
 * turns: the greeting plus a participant message and a bot reply for each of the 7 steps.
 */
import type { ComplaintCorpus } from '../corpus';
import { createRng } from '../../tools/model/seeded-random';
import { summariseLatencies, type LatencySummary } from '../stats';
import type { HttpClient } from './http-client';

export const TURNS_PER_CONVERSATION = 15;
const STEPS = 7;

export type TurnKind = 'greeting' | 'complaint' | 'answer' | 'email';

interface Sample {
  kind: TurnKind;
  startedAt: number;
  ms: number;
}

export interface FinishedConversation {
  id: string;
  email: string;
  finishedAt: number;
}

export interface ConversationRunResult {
  participants: number;
  windowMs: number;
  /** Conversations finished inside the measured window, per second. */
  conversationsPerSecond: number;
  finishedInWindow: number;
  /** All requests started inside the window. */
  turnLatencyMs: LatencySummary;
  byKindMs: Record<TurnKind, LatencySummary>;
  requestsPerSecond: number;
  errors: number;
  errorExamples: string[];
  /** Every conversation the client saw through to index 7, warm-up and drain included. */
  finished: FinishedConversation[];
}

interface Scenario {
  conversation_id: string;
  [key: string]: unknown;
}

interface TurnBody {
  reply: string;
  index: number;
  classType: string;
  messageType: string;
  scenario: Scenario;
  isHtml?: boolean;
}

class ConversationError extends Error {}

export interface DriveOptions {
  participants: number;
  warmupMs: number;
  durationMs: number;
  /** Think time before each message, uniform in [min, max] ms from a seeded generator; absent = none. */
  thinkMs?: { min: number; max: number };
}

const THINK_SEED = 0x7417;

/** Runs `participants` loops; only requests started in [warm-up end, warm-up end + duration) are measured. */
export async function driveConversations(
  client: HttpClient,
  corpus: ComplaintCorpus,
  options: DriveOptions,
): Promise<ConversationRunResult> {
  const start = performance.now();
  const windowStart = start + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const samples: Sample[] = [];
  const finished: FinishedConversation[] = [];
  const errorExamples: string[] = [];
  let errors = 0;
  const thinkRng = createRng(THINK_SEED);
  const think = async (): Promise<void> => {
    if (!options.thinkMs) return;
    const { min, max } = options.thinkMs;
    await new Promise((resolve) => setTimeout(resolve, min + thinkRng() * (max - min)));
  };

  const timed = async <T>(
    kind: TurnKind,
    request: () => Promise<{ status: number; body: T; ms: number }>,
  ): Promise<T> => {
    const startedAt = performance.now();
    let response: { status: number; body: T; ms: number };
    try {
      response = await request();
    } catch (error) {
      throw new ConversationError(`${kind}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (response.status !== 200) {
      throw new ConversationError(`${kind}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
    }
    samples.push({ kind, startedAt, ms: response.ms });
    return response.body;
  };

  const conversation = async (): Promise<void> => {
    const greetedAt = performance.now();
    const greeting = await timed<{ message: string; scenario: Scenario }>('greeting', () =>
      client.get('/api/random/initial/'),
    );
    let scenario = greeting.scenario;
    let index = 0;
    let classType = '';
    const chatLog: { text: string; sender: string }[] = [{ text: greeting.message, sender: 'bot' }];
    const messageTypeLog: string[] = [];
    const email = corpus.email();
    for (let step = 0; step < STEPS; step++) {
      const kind: TurnKind = step === 0 ? 'complaint' : step === STEPS - 1 ? 'email' : 'answer';
      const message = step === 0 ? corpus.nextUnique().text : step === STEPS - 1 ? email : corpus.answer();
      await think();
      const body = await timed<TurnBody>(kind, () =>
        client.post('/api/random/', {
          message,
          index,
          timer: Number(((performance.now() - greetedAt) / 1000).toFixed(1)),
          classType,
          chatLog,
          messageTypeLog,
          scenario,
        }),
      );
      if (body.index !== step + 1)
        throw new ConversationError(`${kind}: expected index ${step + 1}, got ${body.index}`);
      if (step === STEPS - 1 && body.isHtml !== true) throw new ConversationError('email: reply is not isHtml');
      index = body.index;
      scenario = body.scenario;
      classType = body.classType;
      messageTypeLog.push(body.messageType);
      chatLog.push({ text: message, sender: 'user' }, { text: body.reply, sender: 'bot' });
    }
    finished.push({ id: scenario.conversation_id, email, finishedAt: performance.now() });
  };

  const participant = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      try {
        await conversation();
      } catch (error) {
        errors++;
        if (errorExamples.length < 5) errorExamples.push(error instanceof Error ? error.message : String(error));
        // Back off briefly so a failing service is not hammered in a tight loop.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  await Promise.all(Array.from({ length: options.participants }, () => participant()));

  const inWindow = samples.filter((sample) => sample.startedAt >= windowStart && sample.startedAt < windowEnd);
  const kinds: TurnKind[] = ['greeting', 'complaint', 'answer', 'email'];
  const windowMs = options.durationMs;
  const finishedInWindow = finished.filter((entry) => entry.finishedAt >= windowStart && entry.finishedAt < windowEnd);
  return {
    participants: options.participants,
    windowMs,
    conversationsPerSecond: (finishedInWindow.length / windowMs) * 1000,
    finishedInWindow: finishedInWindow.length,
    turnLatencyMs: summariseLatencies(inWindow.map((sample) => sample.ms)),
    byKindMs: Object.fromEntries(
      kinds.map((kind) => [kind, summariseLatencies(inWindow.filter((s) => s.kind === kind).map((s) => s.ms))]),
    ) as Record<TurnKind, LatencySummary>,
    requestsPerSecond: (inWindow.length / windowMs) * 1000,
    errors,
    errorExamples,
    finished,
  };
}
