import { Injectable, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { DatabaseHealthIndicator } from './database.health';
import { MemoryHealthIndicator } from './memory.health';
import { ModelHealthIndicator } from './model.health';
import { QueueHealthIndicator } from './queue.health';
import { RedisHealthIndicator } from './redis.health';

/** The readiness checks, shared by `/api/health/ready` and the CLI's `health-check`. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly queues: QueueHealthIndicator,
    private readonly model: ModelHealthIndicator,
    private readonly memory: MemoryHealthIndicator,
  ) {}

  /** Throws Terminus's 503 (with the report) when a part is down. */
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.check(),
      () => this.redis.check(),
      () => this.queues.check(),
      () => this.model.check(),
      () => this.memory.check(),
    ]);
  }

  /** The report, never throwing: for callers that print it. */
  async report(): Promise<{ ok: boolean; failing: string[]; result: HealthCheckResult }> {
    try {
      const result = await this.check();
      return { ok: true, failing: [], result };
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        const result = error.getResponse() as HealthCheckResult;
        return { ok: false, failing: Object.keys(result.error ?? {}), result };
      }
      throw error;
    }
  }
}
