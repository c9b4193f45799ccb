import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';

/** How DTOs are validated, over HTTP (the global ValidationPipe) and elsewhere (the CLI) alike. */
export const VALIDATOR_OPTIONS: ValidatorOptions = { whitelist: true, forbidUnknownValues: false };

/** Every broken rule in one `HTTP.VALIDATION_FAILED` error: the messages joined, and listed in `details`. */
export function validationFailed(errors: ValidationError[]): AppError {
  const messages = errors.flatMap((error) =>
    Object.values(error.constraints ?? { [error.property]: `${error.property} is invalid` }),
  );
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
