import type { AppError } from './app.error';
import { ErrorCode } from './error-codes';
import { AppValidationPipe, NoQueryDto } from './validation';

describe('AppValidationPipe', () => {
  const pipe = new AppValidationPipe();
  const query = (value: object, metatype: new () => object) =>
    pipe.transform(value, { type: 'query', metatype, data: undefined });

  it('refuses any parameter in the query of a route that reads none, naming it', async () => {
    const refused = (await query({ dryRun: 'true', since: '2026-01-01' }, NoQueryDto).catch(
      (e: unknown) => e,
    )) as AppError;
    expect(refused.code).toBe(ErrorCode.ValidationFailed);
    expect(refused.details).toEqual(['property dryRun should not exist', 'property since should not exist']);
  });

  it('refuses parameters named like what every object inherits, which the transformer would drop unseen', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', '__defineGetter__', 'hasOwnProperty']) {
      // A query string parses into an object without a prototype: `__proto__` is an ordinary key there.
      const value = Object.assign(Object.create(null) as object, { [name]: 'x' });
      const refused = (await query(value, NoQueryDto).catch((e: unknown) => e)) as AppError;
      expect({ name, code: refused.code, details: refused.details }).toEqual({
        name,
        code: ErrorCode.ValidationFailed,
        details: [`property ${name} should not exist`],
      });
    }
  });

  it('takes an empty query on a route that reads none', async () => {
    await expect(query({}, NoQueryDto)).resolves.toBeInstanceOf(NoQueryDto);
  });

  it('drops body keys the DTO does not name, as the React client sends them', async () => {
    await expect(
      pipe.transform({ extra: 1 }, { type: 'body', metatype: NoQueryDto, data: undefined }),
    ).resolves.toEqual(new NoQueryDto());
  });
});
