import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/**
 * A fresh folder under the system's temp dir, removed when the test process exits if its test did not remove it
 * first: files a test only reads (a study content file shared by a whole run) have no one moment to be removed.
 */
export function tempDir(prefix: string): string {
  if (made.size === 0) process.once('exit', () => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}
