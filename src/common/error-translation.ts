import { Global, Injectable, Module } from '@nestjs/common';
import type { AppError } from './app.error';

/** An adapter's reading of a failure it knows (its driver's, its client's): the AppError it means, else undefined. */
export type ErrorTranslator = (error: unknown) => AppError | undefined;

/**
 * The adapters' translations of their own failures into error codes, which the exception filter applies before it
 * maps a code to HTTP. The cost falls on failed requests only: an interceptor around every handler would cost each
 * request an rxjs pipeline and an async-context binding, about a tenth of the event loop's time per chat turn.
 */
@Injectable()
export class ErrorTranslation {
  private readonly translators: ErrorTranslator[] = [];

  add(translator: ErrorTranslator): void {
    this.translators.push(translator);
  }

  /** The first translation of `error` any adapter gives, else `error` itself. */
  translate(error: unknown): unknown {
    for (const translator of this.translators) {
      const translated = translator(error);
      if (translated) return translated;
    }
    return error;
  }
}

/** Global, so that any adapter's module can register its translator and the HTTP setup can hand it to the filter. */
@Global()
@Module({ providers: [ErrorTranslation], exports: [ErrorTranslation] })
export class ErrorTranslationModule {}
