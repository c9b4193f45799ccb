import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';

const MAX_REPLY_CHARS = 500;

interface ChatCompletion {
  choices?: { message?: { content?: unknown } }[];
}

/**
 * Adapter for an OpenAI-compatible `/v1/chat/completions` API. The participant's text only ever goes
 * in the user message, never into the instructions. Returns `null` (caller falls back to offline
 * templates) when unconfigured, busy, failing or slower than `LLM_TIMEOUT_MS` in total, retries included.
 */
@Injectable()
export class LlmClient {
  private readonly logger = new Logger(LlmClient.name);
  private active = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  get enabled(): boolean {
    return this.config.llm.baseUrl !== null;
  }

  async complete(systemPrompt: string, userText: string): Promise<string | null> {
    const { baseUrl, apiKey, model, timeoutMs, retries, maxConcurrent } = this.config.llm;
    if (!baseUrl) return null;
    if (this.active >= maxConcurrent) {
      // Waiting for the LLM would slow the conversation; the offline template answers at once.
      this.metrics.llmRequests.inc({ outcome: 'skipped' });
      return null;
    }
    this.active++;
    const deadline = AbortSignal.timeout(timeoutMs);
    try {
      for (let attempt = 0; attempt <= retries; attempt++) {
        try {
          const reply = await this.request(baseUrl, apiKey, model, systemPrompt, userText, deadline);
          this.metrics.llmRequests.inc({ outcome: 'ok' });
          return reply;
        } catch (error) {
          if (deadline.aborted) {
            this.metrics.llmRequests.inc({ outcome: 'timeout' });
            this.logger.warn(`LLM gave no answer within ${timeoutMs} ms; using the offline template`);
            return null;
          }
          if (attempt === retries) {
            this.metrics.llmRequests.inc({ outcome: 'error' });
            this.logger.warn(
              `LLM failed (${error instanceof Error ? error.message : String(error)}); using the offline template`,
            );
            return null;
          }
        }
      }
      return null;
    } finally {
      this.active--;
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
    const url = `${baseUrl.replace(/\/+$/, '')}/v1/chat/completions`;
    const response = await fetch(url, {
      method: 'POST',
      signal,
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
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as ChatCompletion;
    const content = body.choices?.[0]?.message?.content;
    if (typeof content !== 'string') throw new Error('no message content in the answer');
    const text = content.replace(/\s+/g, ' ').trim().slice(0, MAX_REPLY_CHARS);
    if (text.length === 0) throw new Error('empty answer');
    return text;
  }
}
