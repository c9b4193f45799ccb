import { Injectable, Logger } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { ResultCache } from '../cache/result-cache';
import { ClassificationService } from '../ml/classification.service';
import { ModelPool } from '../ml/model-pool';

const WARM_CHUNK = 16;

/** What the operational commands do; the commands only parse options and print. */
@Injectable()
export class OperationsService {
  private readonly logger = new Logger(OperationsService.name);

  constructor(
    private readonly pool: ModelPool,
    private readonly classification: ClassificationService,
    private readonly cache: ResultCache,
  ) {}

  async preloadModels(): Promise<{ id: string; revision: string; loadMs: number }[]> {
    await this.pool.preload();
    const loaded = this.pool.status().loaded;
    if (loaded.length === 0)
      throw new Error(`no model could be loaded: ${this.pool.status().lastError?.message ?? 'unknown error'}`);
    return loaded.map(({ id, revision, loadMs }) => ({ id, revision, loadMs }));
  }

  /** Classifies every non-empty line of `file` into the result cache. */
  async warmCache(file: string): Promise<{ texts: number; alreadyCached: number }> {
    const texts = (await readFile(file, 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    let alreadyCached = 0;
    const errorsBefore = this.cache.stats.errors;
    for (let i = 0; i < texts.length; i += WARM_CHUNK) {
      const results = await this.classification.classifyMany(texts.slice(i, i + WARM_CHUNK));
      alreadyCached += results.filter((result) => result.cached).length;
    }
    await this.cache.flush();
    // The classifier goes on without its cache when the cache fails (a request must not): a command whose whole
    // purpose is to fill it must not report success then.
    const failed = this.cache.stats.errors - errorsBefore;
    if (failed > 0) {
      throw new Error(`the result cache (${this.cache.backend}) failed ${failed} time(s): nothing may have been cached`);
    }
    this.logger.log(`warmed the cache with ${texts.length} texts (${alreadyCached} were cached already)`);
    return { texts: texts.length, alreadyCached };
  }
}
