import { Logger } from '@nestjs/common';
import type { ProcessRole } from '../config/process-role';
import { AUTOVACUUM_OFF_WARNING, DatabaseSettingsCheck } from './database-settings.check';
import type { DatabaseRepository } from './database.repository';

describe('DatabaseSettingsCheck', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  const check = (autovacuum: () => Promise<boolean>, role: ProcessRole = 'api') =>
    new DatabaseSettingsCheck({ autovacuumEnabled: autovacuum } as unknown as DatabaseRepository, role).run();

  it('warns once when the server runs without autovacuum', async () => {
    await check(() => Promise.resolve(false));
    expect(warnings).toEqual([AUTOVACUUM_OFF_WARNING]);
  });

  it('says nothing when autovacuum is on', async () => {
    await check(() => Promise.resolve(true));
    expect(warnings).toEqual([]);
  });

  it('neither warns nor throws when the setting cannot be read (the probes report the database)', async () => {
    await expect(check(() => Promise.reject(new Error('connection refused')))).resolves.toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('leaves the CLI quiet: a one-off command is not where an operator reads server advice', async () => {
    const autovacuum = jest.fn(() => Promise.resolve(false));
    await check(autovacuum, 'cli');
    expect(autovacuum).not.toHaveBeenCalled();
    expect(warnings).toEqual([]);
  });
});
