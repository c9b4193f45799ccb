import { HealthIndicatorService } from '@nestjs/terminus';
import type { DatabaseServer } from '../database/database-server';
import type { DatabaseRepository } from '../database/database.repository';
import { schemaBehindMessage, type SchemaStatus } from '../database/schema-status';
import { DatabaseHealthIndicator } from './database.health';

describe('DatabaseHealthIndicator', () => {
  function indicator(ping: () => Promise<void>, pending: () => Promise<readonly string[]>) {
    return new DatabaseHealthIndicator(
      new HealthIndicatorService(),
      { ping } as unknown as DatabaseRepository,
      { mode: 'external' } as DatabaseServer,
      { pending } as unknown as SchemaStatus,
    );
  }
  const up = (): Promise<void> => Promise.resolve();

  it('is up when the server answers and the schema is current', async () => {
    const result = await indicator(up, () => Promise.resolve([])).check();
    expect(result.database).toMatchObject({ status: 'up', mode: 'external' });
  });

  it('is down while the schema lacks migrations this build knows, saying which and what to run', async () => {
    const result = await indicator(up, () => Promise.resolve(['Init1795749035442'])).check();
    expect(result.database).toEqual({
      status: 'down',
      mode: 'external',
      message: schemaBehindMessage(['Init1795749035442']),
      pendingMigrations: ['Init1795749035442'],
    });
  });

  it('is down when the schema cannot be read', async () => {
    const result = await indicator(up, () => Promise.reject(new Error('permission denied'))).check();
    expect(result.database).toEqual({
      status: 'down',
      mode: 'external',
      message: 'schema unreadable: permission denied',
    });
  });

  it('does not ask about the schema when the server does not answer', async () => {
    const pending = jest.fn(() => Promise.resolve([]));
    const result = await indicator(() => Promise.reject(new Error('no answer in 2000 ms')), pending).check();
    expect(result.database).toEqual({ status: 'down', mode: 'external', message: 'no answer in 2000 ms' });
    expect(pending).not.toHaveBeenCalled();
  });
});
