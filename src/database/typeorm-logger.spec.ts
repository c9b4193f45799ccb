import { Logger } from '@nestjs/common';
import { TypeOrmLogger } from './typeorm-logger';

describe('TypeOrmLogger', () => {
  const lines: { level: string; message: unknown }[] = [];
  const sink = {
    debug: (message: unknown) => lines.push({ level: 'debug', message }),
    log: (message: unknown) => lines.push({ level: 'log', message }),
    warn: (message: unknown) => lines.push({ level: 'warn', message }),
    error: (message: unknown) => lines.push({ level: 'error', message }),
  } as unknown as Logger;
  const secret = ['participant@example.org', 'My parcel never arrived'];

  beforeEach(() => (lines.length = 0));

  it('writes a failed query at debug level, its SQL without the parameters', () => {
    new TypeOrmLogger(false, sink).logQueryError(new Error('connection refused'), 'SELECT $1, $2', secret);
    expect(lines).toEqual([{ level: 'debug', message: expect.stringContaining('SELECT $1, $2') }]);
    expect(JSON.stringify(lines)).not.toMatch(/participant@example\.org|never arrived/);
    expect(JSON.stringify(lines)).toMatch(/connection refused/);
  });

  it('writes every query only when asked to, never with its parameters', () => {
    new TypeOrmLogger(false, sink).logQuery('SELECT 1', secret);
    expect(lines).toEqual([]);
    new TypeOrmLogger(true, sink).logQuery('SELECT $1', secret);
    expect(lines).toEqual([{ level: 'log', message: 'SELECT $1' }]);
  });

  it('keeps warnings, slow queries and migrations', () => {
    const logger = new TypeOrmLogger(false, sink);
    logger.log('warn', 'deprecated option');
    logger.logQuerySlow(1200, 'SELECT pg_sleep($1)', [1.2]);
    logger.logMigration('Migration Init has been executed successfully.');
    logger.log('info', 'chatter');
    expect(lines).toEqual([
      { level: 'warn', message: 'deprecated option' },
      { level: 'warn', message: expect.stringMatching(/1200 ms.*SELECT pg_sleep\(\$1\)/) },
      { level: 'log', message: 'Migration Init has been executed successfully.' },
      { level: 'debug', message: 'chatter' },
    ]);
  });
});
