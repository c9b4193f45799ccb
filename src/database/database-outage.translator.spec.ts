import { AppError } from '../common/app.error';
import { ErrorTranslation } from '../common/error-translation';
import { DatabaseOutageTranslator, isDatabaseUnavailable } from './database-outage.translator';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
/** TypeORM wraps driver errors in QueryFailedError with the driver's error as `driverError`. */
const wrapped = (driverError: Error): Error => Object.assign(new Error('query failed'), { driverError });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED')],
    ['connection reset', withCode('ECONNRESET')],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['client-side query timeout (frozen server)', new Error('Query read timeout')],
    ['server shutting down', wrapped(withCode('57P01'))],
    ['server starting up', wrapped(withCode('57P03'))],
    ['too many connections', wrapped(withCode('53300'))],
    ['disk full', wrapped(withCode('53100'))],
    ['out of memory', wrapped(withCode('53200'))],
    ['an I/O error', wrapped(withCode('58030'))],
    ['a data file gone (its folder deleted under the server)', wrapped(withCode('58P01'))],
    ['statement timeout', wrapped(withCode('57014'))],
    ['connection exception class 08', wrapped(withCode('08006'))],
    ['a table the schema lacks (migrations not run yet)', wrapped(withCode('42P01'))],
    ['a column the schema lacks (migrations not run yet)', wrapped(withCode('42703'))],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', wrapped(withCode('23505'))],
    ['invalid input', wrapped(withCode('22P02'))],
    ['data corrupted (a bug or a broken disk: not retried away)', wrapped(withCode('XX001'))],
    ['a plain error', new Error('boom')],
    ['a non-error', 'nope'],
    ['nothing', undefined],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('DatabaseOutageTranslator', () => {
  const translation = new ErrorTranslation();
  new DatabaseOutageTranslator(translation).onModuleInit();

  it('turns an outage into DB.UNAVAILABLE without driver text', () => {
    const error = translation.translate(withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')) as AppError;
    expect(error).toBeInstanceOf(AppError);
    expect(error.code).toBe('DB.UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
  });

  it('lets every other error through unchanged', () => {
    const bad = wrapped(withCode('23505'));
    expect(translation.translate(bad)).toBe(bad);
  });
});
