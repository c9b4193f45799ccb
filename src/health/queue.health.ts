import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { JobsService } from '../queue/jobs.service';

/**
 * Job counts per queue and whether a process consumes them. Down when the queue backend cannot answer, and when a
 * Bull queue has no consumer anywhere (no worker running, `QUEUE_PROCESS_IN_API` off): its jobs would only pile up
 * and its schedules (abandonment, retention) never run. In-process queues are each process's own, consumed by the
 * API itself and by no CLI command, so their `consuming` is reported but decides nothing. The queues are optional
 * to participants: this shows as `degraded`, never as unready.
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
      const report = { backend: this.jobs.backend, durable: this.jobs.backend === 'bull', ...queues };
      const idle = this.jobs.backend === 'bull' ? Object.entries(counts).filter(([, c]) => c.workers === 0) : [];
      if (idle.length === 0) return indicator.up(report);
      const names = idle.map(([name]) => name).join(' and ');
      return indicator.down({
        ...report,
        message: `no process consumes the ${names} queue${idle.length > 1 ? 's' : ''}`,
      });
    } catch (error) {
      return indicator.down({
        backend: this.jobs.backend,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
