import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { LlmClient } from '../chat/llm.client';

/** The optional LLM's circuit breaker: open means offline templates answer every think-Low turn for now. */
@Injectable()
export class LlmHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly llm: LlmClient,
  ) {}

  check(key = 'llm') {
    const indicator = this.health.check(key);
    if (!this.llm.enabled) return indicator.up({ configured: false });
    const circuit = this.llm.circuit;
    return circuit === 'open'
      ? indicator.down({ configured: true, circuit })
      : indicator.up({ configured: true, circuit });
  }
}
