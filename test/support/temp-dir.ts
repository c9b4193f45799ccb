import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The folder a test run keeps its temporary files in (`test/setup/temp-root.js`), removed when the run ends. */
export const TEST_RUN_TMP_ENV = 'COMBOT_TEST_TMP';

const made = new Set<string>();

/**
 * A fresh folder for a test's files: inside the run's own folder under jest (removed with it when the run ends, also
 * for files a test only reads, such as a study content file shared by a whole run), else under the system's temp
 * dir, removed when the process exits (jest's test processes never see that event). Traversable by others (0711),
 * so an embedded PostgreSQL's `postgres` user reaches a data folder made inside it.
 */
export function tempDir(prefix: string): string {
  const runDir = process.env[TEST_RUN_TMP_ENV];
  if (!runDir && made.size === 0) {
    process.once('exit', () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  }
  const dir = mkdtempSync(path.join(runDir || os.tmpdir(), prefix));
  chmodSync(dir, 0o711);
  if (!runDir) made.add(dir);
  return dir;
}
