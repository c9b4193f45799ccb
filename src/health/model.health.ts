import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ModelPool } from '../ml/model-pool';

/** The default classification model is loaded and serving. */
@Injectable()
export class ModelHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly pool: ModelPool,
  ) {}

  check(key = 'model') {
    const indicator = this.health.check(key);
    const { id, revision } = this.pool.defaultRef;
    const loaded = this.pool.status().loaded.find((model) => model.id === id);
    if (loaded && this.pool.isLoaded()) return indicator.up({ id, revision: loaded.revision, workers: loaded.workers });
    // An unready replica gets no traffic to retry the load with, so the probe itself asks for one (rate-limited).
    this.pool.retryDefaultLoad();
    const status = this.pool.status();
    return indicator.down({
      id,
      revision,
      loading: status.loading.includes(`${id}@${revision}`),
      lastError: status.lastError?.message ?? null,
    });
  }
}
