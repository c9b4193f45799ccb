/**
 * Participants running the page's 7-step flow, each request echoing the state as the page does; /closing is not
 * called, so a finished conversation stores 15 turns. Not autocannon: it cannot wait a think time, restart a
 * failed conversation, or say which step a latency belongs to.
 */
import type { ComplaintCorpus } from '../corpus';
import { createRng } from '../../tools/model/seeded-random';
import { summariseLatencies, type LatencySummary } from '../stats';
import type { HttpClient, JsonResponse } from './http-client';

export const TURNS_PER_CONVERSATION = 15;
const STEPS = 7;
const THINK_SEED = 0x7417;
export const KINDS = ['greeting', 'complaint', 'answer', 'email'] as const;
type TurnKind = (typeof KINDS)[number];

/** What the page echoes back: the conversation's state travels in `scenario`. */
type Scenario = { conversation_id: string } & Record<string, unknown>;

type TurnBody = { reply: string; index: number; classType: string; messageType: string; scenario: Scenario };

interface DriveOptions {
  participants: number;
  warmupMs: number;
  durationMs: number;
  /** Think time before each message, uniform in [min, max] ms from a seeded generator; absent = none. */
  thinkMs?: { min: number; max: number };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs `participants` loops; only requests started in [warm-up end, warm-up end + duration) are measured. */
export async function driveConversations(client: HttpClient, corpus: ComplaintCorpus, options: DriveOptions) {
  const windowStart = performance.now() + options.warmupMs;
  const windowEnd = windowStart + options.durationMs;
  const samples: { kind: TurnKind; startedAt: number; ms: number }[] = [];
  /** Every conversation the client saw through to index 7, warm-up and drain included. */
  const finished: { id: string; email: string; finishedAt: number }[] = [];
  const errorExamples: string[] = [];
  let errors = 0;
  const { thinkMs } = options;
  const thinkRng = createRng(THINK_SEED);
  const think = () => (thinkMs ? sleep(thinkMs.min + thinkRng() * (thinkMs.max - thinkMs.min)) : Promise.resolve());

  const timed = async <T>(kind: TurnKind, request: () => Promise<JsonResponse<T>>): Promise<T> => {
    const startedAt = performance.now();
    const response = await request().catch((error: unknown) => {
      throw new Error(`${kind}: ${message(error)}`);
    });
    if (response.status !== 200)
      throw new Error(`${kind}: HTTP ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
    samples.push({ kind, startedAt, ms: response.ms });
    return response.body;
  };

  const conversation = async (): Promise<void> => {
    const greetedAt = performance.now();
    const greeting = await timed<{ message: string; scenario: Scenario }>('greeting', () =>
      client.get('/api/random/initial/'),
    );
    let { scenario } = greeting;
    let index = 0;
    let classType = '';
    const chatLog: { text: string; sender: string }[] = [{ text: greeting.message, sender: 'bot' }];
    const messageTypeLog: string[] = [];
    const email = corpus.email();
    for (let step = 0; step < STEPS; step++) {
      const kind: TurnKind = step === 0 ? 'complaint' : step === STEPS - 1 ? 'email' : 'answer';
      const text = step === 0 ? corpus.nextUnique().text : step === STEPS - 1 ? email : corpus.answer();
      await think();
      const timer = Number(((performance.now() - greetedAt) / 1000).toFixed(1));
      const body = await timed<TurnBody & { isHtml?: boolean }>(kind, () =>
        client.post('/api/random/', { message: text, index, timer, classType, chatLog, messageTypeLog, scenario }),
      );
      if (body.index !== step + 1) throw new Error(`${kind}: expected index ${step + 1}, got ${body.index}`);
      if (step === STEPS - 1 && body.isHtml !== true) throw new Error('email: reply is not isHtml');
      ({ index, scenario, classType } = body);
      messageTypeLog.push(body.messageType);
      chatLog.push({ text, sender: 'user' }, { text: body.reply, sender: 'bot' });
    }
    finished.push({ id: scenario.conversation_id, email, finishedAt: performance.now() });
  };

  const participant = async (): Promise<void> => {
    while (performance.now() < windowEnd) {
      try {
        await conversation();
      } catch (error) {
        errors++;
        if (errorExamples.length < 5) errorExamples.push(message(error));
        await sleep(50); // so a failing service is not hammered in a tight loop
      }
    }
  };
  await Promise.all(Array.from({ length: options.participants }, participant));
  const inWindow = samples.filter((sample) => sample.startedAt >= windowStart && sample.startedAt < windowEnd);
  const finishedInWindow = finished.filter((f) => f.finishedAt >= windowStart && f.finishedAt < windowEnd).length;
  const perSecond = (count: number): number => (count / options.durationMs) * 1000;
  return {
    participants: options.participants,
    windowMs: options.durationMs,
    /** Conversations finished inside the measured window, per second. */
    conversationsPerSecond: perSecond(finishedInWindow),
    finishedInWindow,
    /** All requests started inside the window. */
    turnLatencyMs: summariseLatencies(inWindow.map((sample) => sample.ms)),
    byKindMs: Object.fromEntries(
      KINDS.map((kind) => [kind, summariseLatencies(inWindow.filter((s) => s.kind === kind).map((s) => s.ms))]),
    ) as Record<TurnKind, LatencySummary>,
    requestsPerSecond: perSecond(inWindow.length),
    errors,
    errorExamples,
    finished,
  };
}
