import { Transform } from 'class-transformer';
import { getMetadataStorage, IsIn, IsInt, IsOptional } from 'class-validator';
import type { AppError } from './app.error';
import { ErrorCode } from './error-codes';
import { emptyIsAbsent } from './query-values';
import { AppValidationPipe, NoQueryDto } from './validation';

/** A query DTO like the admin routes': a filter with its values, a number with a default. */
class FilterQueryDto {
  @Transform(emptyIsAbsent)
  @IsOptional()
  @IsIn(['open', 'closed'], { message: 'status must be one of open, closed' })
  status?: string;

  @Transform(({ value }: { value: unknown }) => (value === undefined ? 25 : Number(value)))
  @IsInt({ message: 'limit must be an integer' })
  limit = 25;
}

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

  it('quotes a long undeclared parameter name in part', async () => {
    const name = 'a'.repeat(5000);
    const refused = (await query({ [name]: '1' }, NoQueryDto).catch((e: unknown) => e)) as AppError;
    expect(refused.details).toEqual([`property ${'a'.repeat(100)}… (5000 characters) should not exist`]);
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

  it('says a parameter was given more than once, whatever its values, rather than that a value is wrong', async () => {
    const refusal = async (value: object) => {
      const refused = (await query(value, FilterQueryDto).catch((e: unknown) => e)) as AppError;
      return { code: refused.code, message: refused.message, details: refused.details };
    };
    expect(await refusal({ status: ['open', 'closed'] })).toEqual({
      code: ErrorCode.ValidationFailed,
      message: 'status given more than once; it takes one value',
      details: ['status given more than once; it takes one value'],
    });
    expect((await refusal({ status: ['open', 'open'], limit: ['5', '5'] })).details).toEqual([
      'status given more than once; it takes one value',
      'limit given more than once; it takes one value',
    ]);
    // Every other problem of the query is still named, once.
    expect((await refusal({ status: ['open', 'closed'], limit: 'many', dryRun: 'true' })).details).toEqual([
      'status given more than once; it takes one value',
      'property dryRun should not exist',
      'limit must be an integer',
    ]);
    // A parameter the route does not take is refused as such, however often it is given.
    expect((await refusal({ dryRun: ['1', '2'] })).details).toEqual(['property dryRun should not exist']);
    await expect(query({ status: 'open', limit: '5' }, FilterQueryDto)).resolves.toEqual(
      Object.assign(new FilterQueryDto(), { status: 'open', limit: 5 }),
    );
  });

  it('takes an empty query on a route that reads none', async () => {
    await expect(query({}, NoQueryDto)).resolves.toBeInstanceOf(NoQueryDto);
  });

  it('drops body keys the DTO does not name, as the React client sends them', async () => {
    await expect(
      pipe.transform({ extra: 1 }, { type: 'body', metatype: NoQueryDto, data: undefined }),
    ).resolves.toEqual(new NoQueryDto());
  });

  it("walks a query DTO's validation metadata once, not on every request", async () => {
    const pipe = new AppValidationPipe();
    const walk = jest.spyOn(getMetadataStorage(), 'getTargetValidationMetadatas');
    try {
      for (let request = 0; request < 3; request++) {
        await pipe.transform({ status: 'open' }, { type: 'query', metatype: FilterQueryDto, data: undefined });
      }
      const walksForRepeats = walk.mock.calls.filter(([, , always, strict]) => always === true && strict === false);
      expect(walksForRepeats).toHaveLength(1);
    } finally {
      walk.mockRestore();
    }
  });
});
