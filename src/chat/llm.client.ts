import { Injectable, Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  handleAll,
} from 'cockatiel';
import { AppConfig } from '../config/app-config';
import { MetricName } from '../metrics/metric-names';
import { MetricsService } from '../metrics/metrics.service';
import { cleanLlmReply } from './llm-reply';

interface ChatCompletion {
  choices?: { message?: { content?: unknown } }[];
}

/**
 * The most of an LLM answer read. A completion capped at `max_tokens: 120` is well under 2 KB with its envelope;
 * anything far larger is a misbehaving server, whose answer read whole would fill the heap (the process has 192 MB)
 * and block the event loop while it is parsed and cleaned.
 */
export const LLM_MAX_ANSWER_BYTES = 64 * 1024;

/** The body as text, refused (and the connection dropped) as soon as it is declared or read past `limit` bytes. */
async function boundedText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`answer of ${declared} bytes, over the ${limit}-byte limit`);
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`answer over the ${limit}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The breaker's state as a number for the gauge: 0 closed, 1 half-open (probing), 2 open. */
const STATE_VALUE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

export type LlmCircuit = 'closed' | 'half-open' | 'open';

/**
 * The chat-completions endpoint under `baseUrl`: the server's address (`https://llm.internal`) or, as OpenAI's own
 * clients write it, one that ends in `/v1` already (`https://api.openai.com/v1`), which must not get a second one.
 */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
}

/**
 * Adapter for an OpenAI-compatible `/v1/chat/completions` API. The participant's text only ever goes in the user
 * message, never into the instructions. Returns `null` (the caller falls back to offline templates) when
 * unconfigured, busy, failing or slower than `LLM_TIMEOUT_MS` in total, retries included.
 *
 * A circuit breaker remembers that the LLM is down: after `LLM_BREAKER_THRESHOLD` calls in a row failed or timed
 * out it opens, and for `LLM_BREAKER_COOLDOWN_MS` every call returns `null` at once instead of costing a
 * participant the full timeout; then one call probes, and a success closes it again.
 */
@Injectable()
export class LlmClient {
  private readonly logger = new Logger(LlmClient.name);
  private active = 0;
  private readonly breaker: CircuitBreakerPolicy;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    const { breakerThreshold, breakerCooldownMs } = config.llm;
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: breakerCooldownMs,
      breaker: new ConsecutiveBreaker(breakerThreshold),
    });
    this.breaker.onBreak(() =>
      this.logger.warn(
        `LLM failed ${breakerThreshold} times in a row: offline templates answer for ${breakerCooldownMs} ms`,
      ),
    );
    this.breaker.onReset(() => this.logger.log('LLM answers again: circuit closed'));
    // Each process has its own breaker: across the cluster, the most open one.
    metrics.gauge(
      MetricName.LlmCircuitState,
      'LLM circuit breaker: 0 closed, 1 half-open, 2 open.',
      [],
      (set) => set({}, STATE_VALUE[this.breaker.state]),
      'max',
    );
  }

  get enabled(): boolean {
    return this.config.llm.baseUrl !== null;
  }

  get circuit(): LlmCircuit {
    const state = this.breaker.state;
    return state === CircuitState.Closed ? 'closed' : state === CircuitState.HalfOpen ? 'half-open' : 'open';
  }

  async complete(systemPrompt: string, userText: string): Promise<string | null> {
    const { baseUrl, maxConcurrent } = this.config.llm;
    if (!baseUrl) return null;
    if (this.breaker.state === CircuitState.HalfOpen) {
      // One call is probing the LLM; the breaker would make every other call wait for that probe (up to the
      // whole timeout), so they take the template at once.
      this.metrics.llmRequests.inc({ outcome: 'circuit_open' });
      return null;
    }
    if (this.active >= maxConcurrent) {
      // Waiting for the LLM would slow the conversation; the offline template answers at once.
      this.metrics.llmRequests.inc({ outcome: 'skipped' });
      return null;
    }
    this.active++;
    try {
      return await this.breaker.execute(() => this.attempts(baseUrl, systemPrompt, userText));
    } catch (error) {
      if (error instanceof BrokenCircuitError) this.metrics.llmRequests.inc({ outcome: 'circuit_open' });
      return null;
    } finally {
      this.active--;
    }
  }

  /** The call with its retries, within one overall deadline; throws when no answer came (the breaker counts it). */
  private async attempts(baseUrl: string, systemPrompt: string, userText: string): Promise<string> {
    const { apiKey, model, timeoutMs, retries } = this.config.llm;
    const deadline = AbortSignal.timeout(timeoutMs);
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await this.request(baseUrl, apiKey, model, systemPrompt, userText, deadline);
        this.metrics.llmRequests.inc({ outcome: 'ok' });
        return reply;
      } catch (error) {
        if (deadline.aborted) {
          this.metrics.llmRequests.inc({ outcome: 'timeout' });
          this.logger.warn(`LLM gave no answer within ${timeoutMs} ms; using the offline template`);
          throw error;
        }
        if (attempt >= retries) {
          this.metrics.llmRequests.inc({ outcome: 'error' });
          this.logger.warn(
            `LLM failed (${error instanceof Error ? error.message : String(error)}); using the offline template`,
          );
          throw error;
        }
      }
    }
  }

  private async request(
    baseUrl: string,
    apiKey: string | null,
    model: string,
    systemPrompt: string,
    userText: string,
    signal: AbortSignal,
  ): Promise<string> {
    const response = await fetch(chatCompletionsUrl(baseUrl), {
      method: 'POST',
      signal,
      // The endpoint is configured, not discovered: a redirect would send the participant's text (and, on the same
      // origin, the key) wherever the answer points.
      redirect: 'error',
      headers: {
        'Content-Type': 'application/json',
        ...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({
        model,
        temperature: 0.3,
        max_tokens: 120,
        messages: [
          { role: 'system', content: systemPrompt },
          { role: 'user', content: userText },
        ],
      }),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const body = JSON.parse(await boundedText(response, LLM_MAX_ANSWER_BYTES)) as ChatCompletion;
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('no message content in the answer');
    const text = cleanLlmReply(content);
    if (text.length === 0) throw new Error('empty answer once cleaned');
    return text;
  }
}
