import { Logger } from '@nestjs/common';
import type { ProcessRole } from '../config/process-role';
import type { DatabaseRepository } from './database.repository';
import { SCHEMA_RECHECK_MS, schemaBehindMessage, SchemaStatus } from './schema-status';

describe('SchemaStatus', () => {
  const warnings: string[] = [];
  beforeEach(() => {
    warnings.length = 0;
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  /** A repository whose pending migrations are `answers` in turn (the last one repeated). */
  function build(answers: string[][], role: ProcessRole = 'api') {
    const pendingMigrations = jest.fn(() => Promise.resolve(answers.length > 1 ? (answers.shift() ?? []) : answers[0]));
    const status = new SchemaStatus({ pendingMigrations } as unknown as DatabaseRepository, role);
    return { status, pendingMigrations };
  }

  it('says how far behind, and what to run, in one line', () => {
    expect(schemaBehindMessage(['A1', 'B2', 'C3'])).toBe(
      'schema behind: 3 pending migrations (A1, B2, C3); run the migration job (npm run migration:run)',
    );
    expect(schemaBehindMessage(['A1'])).toMatch(/^schema behind: 1 pending migration \(A1\);/);
  });

  it('warns at start when this build knows migrations the database has not run', async () => {
    const { status } = build([['Init1795749035442', 'Studies1796140477184']]);
    await status.warnIfBehind();
    expect(warnings).toEqual([schemaBehindMessage(['Init1795749035442', 'Studies1796140477184'])]);
  });

  it('leaves a CLI command quiet at start: `health-check` reports the schema', async () => {
    const { status, pendingMigrations } = build([['A1']], 'cli');
    status.onApplicationBootstrap();
    await Promise.resolve();
    expect(pendingMigrations).not.toHaveBeenCalled();
  });

  it('says nothing at start when the schema is current, or when it cannot be read (the probes report that)', async () => {
    await build([[]]).status.warnIfBehind();
    const broken = new SchemaStatus(
      { pendingMigrations: () => Promise.reject(new Error('connection refused')) } as unknown as DatabaseRepository,
      'api',
    );
    await expect(broken.warnIfBehind()).resolves.toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('stops asking once current: a build never gains migrations while it runs', async () => {
    const { status, pendingMigrations } = build([[]]);
    expect(await status.pending()).toEqual([]);
    expect(await status.pending()).toEqual([]);
    expect(pendingMigrations).toHaveBeenCalledTimes(1);
  });

  it('while behind, asks again at most every SCHEMA_RECHECK_MS, and sees the migration job finish', async () => {
    let now = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const { status, pendingMigrations } = build([['A1'], []]);
    expect(await status.pending()).toEqual(['A1']);
    now += SCHEMA_RECHECK_MS - 1;
    expect(await status.pending()).toEqual(['A1']);
    expect(pendingMigrations).toHaveBeenCalledTimes(1);
    now += 1;
    expect(await status.pending()).toEqual([]);
    expect(pendingMigrations).toHaveBeenCalledTimes(2);
  });

  it('shares one read between probes that arrive together', async () => {
    const { status, pendingMigrations } = build([['A1']]);
    await Promise.all([status.pending(), status.pending(), status.pending()]);
    expect(pendingMigrations).toHaveBeenCalledTimes(1);
  });

  it('asks again at the next probe after a failed read', async () => {
    const pendingMigrations = jest
      .fn<Promise<string[]>, []>()
      .mockRejectedValueOnce(new Error('timeout'))
      .mockResolvedValue([]);
    const status = new SchemaStatus({ pendingMigrations } as unknown as DatabaseRepository, 'api');
    await expect(status.pending()).rejects.toThrow('timeout');
    expect(await status.pending()).toEqual([]);
  });
});
