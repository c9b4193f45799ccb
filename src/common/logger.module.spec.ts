import { loggedError, requestErrorObject, requestLogLevel } from './logger.module';

describe('request log lines', () => {
  it.each([
    [200, undefined, 'info'],
    [404, undefined, 'warn'],
    [429, undefined, 'warn'],
    [500, undefined, 'error'],
    [503, undefined, 'warn'],
    [200, new Error('socket hang up'), 'error'],
  ] as const)('status %i (error %p) logs at %s', (status, error, level) => {
    expect(requestLogLevel(status, error)).toBe(level);
  });

  it('keeps the error’s name and message on the line, never a stack', () => {
    const error = new Error('failed with status code 503');
    const line = requestErrorObject(error, { res: { statusCode: 503 }, err: error, responseTime: 12 });
    expect(line).toEqual({
      res: { statusCode: 503 },
      error: 'Error: failed with status code 503',
      responseTime: 12,
    });
    expect(JSON.stringify(line)).not.toContain('at ');
  });
});

describe('logged errors', () => {
  it('keep a failed statement’s SQL, message and stack, never its parameters or the driver’s own error', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      query: 'INSERT INTO conversation (email) VALUES ($1)',
      parameters: ['participant@example.org'],
      driverError: { detail: 'Key (email)=(participant@example.org) already exists.' },
    });
    const logged = loggedError(error);
    expect(logged).toEqual(
      expect.objectContaining({
        type: 'Error',
        message: 'duplicate key value violates unique constraint',
        query: 'INSERT INTO conversation (email) VALUES ($1)',
        stack: expect.stringContaining('Error: duplicate key'),
      }),
    );
    expect(JSON.stringify(logged)).not.toContain('participant@example.org');
  });
});
