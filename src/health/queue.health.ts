import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { JobsService } from '../queue/jobs.service';

/**
 * Job counts per queue and whether a worker consumes them. Down only when the queue backend cannot
 * answer; no consumer is reported (`consuming: false`) but does not fail the API's readiness.
 */
@Injectable()
export class QueueHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly jobs: JobsService,
  ) {}

  async check(key = 'queues') {
    const indicator = this.health.check(key);
    try {
      const counts = await this.jobs.counts(1500);
      const queues = Object.fromEntries(
        Object.entries(counts).map(([name, c]) => [
          name,
          { waiting: c.waiting, active: c.active, failed: c.failed, delayed: c.delayed, consuming: c.workers > 0 },
        ]),
      );
      return indicator.up({ backend: this.jobs.backend, durable: this.jobs.backend === 'bull', ...queues });
    } catch (error) {
      return indicator.down({
        backend: this.jobs.backend,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
