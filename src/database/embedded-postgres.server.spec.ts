import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StartupError } from '../common/startup.error';
import { EmbeddedPostgresServer, OwnerRecord, portOnceKnown } from './embedded-postgres.server';

/** A resolver that finds nothing, as in the production image (its build removes the embedded PostgreSQL). */
const notInstalled = (name: string): string => {
  throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
};

const MISSING =
  /^DATABASE_URL: not set, and the embedded PostgreSQL is not installed \(@embedded-postgres\/[\w-]+ is missing, as in the production image\): set DATABASE_URL$/;

describe('EmbeddedPostgresServer without its binaries (the production image)', () => {
  it('names DATABASE_URL, the setting to fix, as a startup error (one line, exit 78)', () => {
    let error: unknown;
    try {
      EmbeddedPostgresServer.nativeDir(notInstalled);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).exitCode).toBe(78);
    expect((error as StartupError).message).toMatch(MISSING);
  });

  it('finds them here, where the development install has them', () => {
    expect(existsSync(path.join(EmbeddedPostgresServer.nativeDir(), 'bin', 'postgres'))).toBe(true);
  });

  it('refuses to start before it creates the data folder or anything else', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'combot-no-binaries-'));
    const dataDir = path.join(parent, 'postgres');
    try {
      const server = new EmbeddedPostgresServer({ dataDir, port: null, resolvePackage: notInstalled });
      await expect(server.start()).rejects.toThrow(MISSING);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('EmbeddedPostgresServer on a data folder its server user cannot reach', () => {
  // As root the server runs as `postgres`: a folder of a private (0700) parent is out of its reach.
  const asRoot = process.getuid?.() === 0 ? it : it.skip;

  asRoot('refuses an existing one with one line naming EMBEDDED_DB_DIR (exit 78), never a stack trace', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'combot-unreachable-'));
    const dataDir = path.join(parent, 'postgres');
    try {
      mkdirSync(path.join(dataDir, 'pgdata'), { recursive: true });
      const server = new EmbeddedPostgresServer({ dataDir, port: null });
      const error = await server.start().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StartupError);
      expect((error as StartupError).exitCode).toBe(78);
      expect((error as StartupError).message).toMatch(
        new RegExp(`^EMBEDDED_DB_DIR=${dataDir}: the postgres user cannot reach this existing data folder`),
      );
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe('portOnceKnown (a process attaching to a server its owner is still starting)', () => {
  const alive = (): boolean => true;

  it('waits until the owner file names the port', async () => {
    const records: OwnerRecord[] = [{ pid: 7 }, { pid: 7 }, { pid: 7, port: 54_329 }];
    await expect(portOnceKnown(() => records.shift() ?? null, 7, 5_000, alive)).resolves.toBe(54_329);
    expect(records).toHaveLength(0);
  });

  it('gives up when the owner stops, another process takes over, or the wait ends', async () => {
    await expect(
      portOnceKnown(
        () => ({ pid: 7 }),
        7,
        5_000,
        () => false,
      ),
    ).resolves.toBeUndefined();
    await expect(portOnceKnown(() => ({ pid: 8 }), 7, 5_000, alive)).resolves.toBeUndefined();
    await expect(portOnceKnown(() => null, 7, 5_000, alive)).resolves.toBeUndefined();
    await expect(portOnceKnown(() => ({ pid: 7 }), 7, 150, alive)).resolves.toBeUndefined();
  });
});
