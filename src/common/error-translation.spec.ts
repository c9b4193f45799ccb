import { AppError } from './app.error';
import { ErrorCode } from './error-codes';
import { ErrorTranslation } from './error-translation';

describe('ErrorTranslation', () => {
  const unavailable = new AppError(ErrorCode.DbUnavailable, 'The database is unavailable; retry shortly.');

  it('gives back an error no translator knows, unchanged', () => {
    const translation = new ErrorTranslation();
    const error = new Error('boom');
    expect(translation.translate(error)).toBe(error);
    translation.add(() => undefined);
    expect(translation.translate(error)).toBe(error);
  });

  it('applies the first translator that knows the error', () => {
    const translation = new ErrorTranslation();
    const second = jest.fn(() => new AppError(ErrorCode.Internal, 'never'));
    translation.add((error) => (error instanceof RangeError ? unavailable : undefined));
    translation.add(second);
    expect(translation.translate(new RangeError('x'))).toBe(unavailable);
    expect(second).not.toHaveBeenCalled();
  });
});
