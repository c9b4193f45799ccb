import { Injectable } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { LlmHealthIndicator } from './llm.health';
import { MemoryHealthIndicator } from './memory.health';
import { ModelHealthIndicator } from './model.health';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';
import { StudyHealthIndicator } from './study.health';

/**
 * `ok`: every part up. `degraded`: this instance serves participants, but an optional part is down (Redis: no
 * result cache and no durable jobs; queues; the LLM's circuit is open; the study content still has placeholder
 * survey links). `error`: it cannot serve participants.
 */
export type HealthStatus = 'ok' | 'degraded' | 'error';

/** The parts readiness checks, by their keys in a report: this instance cannot serve participants without them. */
const READINESS_PARTS = ['database', 'model', 'memory'] as const;

export interface HealthReport {
  status: HealthStatus;
  /** Parts that are up. */
  info: HealthIndicatorResult;
  /** Parts that are down. */
  error: HealthIndicatorResult;
  /** Every part. */
  details: HealthIndicatorResult;
}

/**
 * The probes. Readiness is what a participant needs from this instance (the database, the model, memory within
 * bounds); Redis, the queues and the LLM are optional: the chat keeps answering without them, so their trouble
 * shows as `degraded` and never pulls an instance out of a load balancer.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseHealthIndicator,
    private readonly model: ModelHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueueHealthIndicator,
    private readonly llm: LlmHealthIndicator,
    private readonly study: StudyHealthIndicator,
  ) {}

  /** Liveness: never a dependency; only memory that has stayed past its limit (HEALTH_MEMORY_LIVENESS_GRACE_MS). */
  liveness(): HealthReport {
    return this.report([this.memory.liveness()], []);
  }

  /**
   * What a report says is down, in words: the parts readiness needs first (`not ready: database`), then the optional
   * ones (`degraded: study`), as the health routes and the CLI's `health-check` put it.
   */
  static describeDown(report: HealthReport): string {
    const down = Object.keys(report.error);
    const required = down.filter((part) => (READINESS_PARTS as readonly string[]).includes(part));
    const optional = down.filter((part) => !required.includes(part));
    return [
      ...(required.length > 0 ? [`not ready: ${required.join(', ')}`] : []),
      ...(optional.length > 0 ? [`degraded: ${optional.join(', ')}`] : []),
    ].join('; ');
  }

  /** Readiness only: `error` when a part participants need is down. */
  async readiness(): Promise<HealthReport> {
    return this.report(await this.readinessParts(), []);
  }

  /** Every part: readiness decides `error`, optional parts `degraded`. */
  async full(): Promise<HealthReport> {
    const [required, optional] = await Promise.all([
      this.readinessParts(),
      Promise.all([this.redis.check(), this.queues.check()]),
    ]);
    return this.report(required, [...optional, this.llm.check(), this.study.check()]);
  }

  private readinessParts(): Promise<HealthIndicatorResult[]> {
    const [database, model, memory] = READINESS_PARTS;
    return Promise.all([
      this.database.check(database),
      Promise.resolve(this.model.check(model)),
      Promise.resolve(this.memory.check(memory)),
    ]);
  }

  private report(required: HealthIndicatorResult[], optional: HealthIndicatorResult[]): HealthReport {
    const details: HealthIndicatorResult = Object.assign({}, ...required, ...optional) as HealthIndicatorResult;
    const isDown = (result: HealthIndicatorResult): boolean =>
      Object.values(result).some((part) => part.status !== 'up');
    const pick = (up: boolean): HealthIndicatorResult =>
      Object.fromEntries(Object.entries(details).filter(([, part]) => (part.status === 'up') === up));
    const status: HealthStatus = required.some(isDown) ? 'error' : optional.some(isDown) ? 'degraded' : 'ok';
    return { status, info: pick(true), error: pick(false), details };
  }
}
