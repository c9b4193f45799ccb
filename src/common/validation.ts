import { ValidationPipe, type ArgumentMetadata, type ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import {
  getMetadataStorage,
  isISO8601,
  validateSync,
  ValidateBy,
  type ValidationError,
  type ValidationOptions,
  type ValidatorOptions,
} from 'class-validator';
import { AppError } from './app.error';
import { echoed } from './echoed-value';
import { ErrorCode } from './error-codes';
import { givenMoreThanOnce } from './query-values';

/** How DTOs are validated, over HTTP (the global ValidationPipe) and elsewhere (the CLI) alike. */
export const VALIDATOR_OPTIONS: ValidatorOptions = { whitelist: true, forbidUnknownValues: false };

/** Every broken rule in one `HTTP.VALIDATION_FAILED` error: the messages joined, and listed in `details`. */
export function validationFailed(errors: ValidationError[]): AppError {
  const messages = errors.flatMap((error) =>
    Object.entries(error.constraints ?? { [error.property]: `${error.property} is invalid` }).map(([rule, message]) =>
      // A parameter nobody declared is named by the client, at any length: quoted in part.
      rule === 'whitelistValidation' ? `property ${echoed(error.property)} should not exist` : message,
    ),
  );
  return new AppError(ErrorCode.ValidationFailed, messages.join('; '), { details: messages });
}

/**
 * Broken rules found outside a DTO (by a parser, a service, the pipe itself), in the same shape: the messages joined,
 * and listed in `details`, as every `HTTP.VALIDATION_FAILED` lists its problems there.
 */
export function invalidInput(...messages: [string, ...string[]]): AppError {
  return new AppError(ErrorCode.ValidationFailed, messages.join('; '), { details: messages });
}

/**
 * What the global ValidationPipe does to a request part, for input that does not arrive over HTTP, so a DTO's
 * rules and messages are the only ones whichever way the input comes.
 */
export function validatedInstance<T extends object>(type: ClassConstructor<T>, plain: object): T {
  // An option left unset (undefined) keeps the DTO's default, as a key missing from a query string does.
  const instance = plainToInstance(type, plain, { exposeUnsetFields: false });
  const errors = validateSync(instance, VALIDATOR_OPTIONS);
  if (errors.length > 0) throw validationFailed(errors);
  return instance;
}

/**
 * The global pipe: DTOs validated and transformed, every broken rule one `HTTP.VALIDATION_FAILED`. Bodies drop keys
 * their DTO does not name (the React client's body is tolerated as it comes); a query string with a parameter its
 * DTO does not name is refused, since a misspelled filter (`pseudonymize=true`, `status[]=completed`) would
 * otherwise be dropped in silence and widen what an export or a panel hands out.
 */
export class AppValidationPipe extends ValidationPipe {
  private static readonly OPTIONS: ValidationPipeOptions = {
    ...VALIDATOR_OPTIONS,
    transform: true,
    exceptionFactory: validationFailed,
  };
  private readonly queryPipe = new ValidationPipe({ ...AppValidationPipe.OPTIONS, forbidNonWhitelisted: true });
  /** The properties each query DTO names: class-validator's metadata walk, done once per class, not per request. */
  private readonly namedByDto = new WeakMap<object, ReadonlySet<string>>();

  constructor() {
    super(AppValidationPipe.OPTIONS);
  }

  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'query') return super.transform(value, metadata);
    // class-transformer skips keys named like what every object inherits (`constructor`, `__proto__`, `toString`),
    // so the whitelist would never see them: refused here with the whitelist's own message.
    const inherited =
      value && typeof value === 'object' ? Object.keys(value).filter((key) => key in Object.prototype) : [];
    const [first, ...more] = inherited.map((key) => `property ${key} should not exist`);
    if (first !== undefined) return Promise.reject(invalidInput(first, ...more));
    return this.refusingRepeats(value as Record<string, unknown>, metadata);
  }

  /**
   * A parameter given more than once (`?status=completed&status=abandoned`) arrives as a list, which its rule would
   * refuse as a wrong value (`status must be one of …`): said as what it is instead, with the query's other problems.
   * Only for a parameter the DTO names; any other is refused as not taken, however often it is given.
   */
  private async refusingRepeats(value: Record<string, unknown>, metadata: ArgumentMetadata): Promise<unknown> {
    const named = this.propertiesNamedBy(metadata.metatype);
    const repeated = Object.keys(value).filter((key) => Array.isArray(value[key]) && named.has(key));
    if (repeated.length === 0) return this.queryPipe.transform(value, metadata);
    const rest = Object.fromEntries(Object.entries(value).filter(([key]) => !repeated.includes(key)));
    const others = await this.queryPipe.transform(rest, metadata).then(
      () => [],
      (error: unknown) => {
        if (error instanceof AppError && error.code === ErrorCode.ValidationFailed) return error.details as string[];
        throw error;
      },
    );
    const [first, ...more] = [...repeated.map(givenMoreThanOnce), ...others];
    throw invalidInput(first, ...more);
  }

  private propertiesNamedBy(dto: ArgumentMetadata['metatype']): ReadonlySet<string> {
    if (!dto) return new Set();
    let named = this.namedByDto.get(dto);
    if (!named) {
      const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
      named = new Set(rules.map((rule) => rule.propertyName));
      this.namedByDto.set(dto, named);
    }
    return named;
  }
}

/**
 * The query of an admin route that reads none. With the pipe's refusal of parameters a query DTO does not name,
 * `@Query() _query: NoQueryDto` makes any parameter a 400: an option the route does not have (`?dryRun=true` on an
 * erasure) must never be dropped in silence while the route does what it would do without it.
 */
export class NoQueryDto {}

/** Seconds with more than three decimals: a Date keeps milliseconds, and would cut the rest without a word. */
const FINER_THAN_MILLISECONDS = /:\d{2}[.,]\d{4,}/;

/**
 * A calendar date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`), alone or before a time: the ISO check also passes ordinal dates
 * (`2026-011`, the 11th of January), which a Date reads as another day (`2026-011` as the 1st of November).
 */
const CALENDAR_DATE = /^\d{4}(?:-\d{2}(?:-\d{2})?)?(?:[T\s]|$)/i;

/**
 * ISO 8601 that is also a real instant, to the millisecond: the ISO check alone passes forms (week and ordinal dates)
 * a Date cannot read or reads as another day, and seconds finer than a Date holds (a filter `since=…12.6189999Z`
 * would take a row of `…12.6189`).
 */
export function IsIsoInstant(options: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIsoInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          isISO8601(value, { strict: true }) &&
          CALENDAR_DATE.test(value) &&
          !FINER_THAN_MILLISECONDS.test(value) &&
          !Number.isNaN(Date.parse(value)),
      },
    },
    options,
  );
}
