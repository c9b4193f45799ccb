import { readFileSync } from 'node:fs';
import path from 'node:path';

const PACKAGE_JSON = path.join(__dirname, '..', '..', 'package.json');

/**
 * The node flags of the package script `exec node [flags] <entry>` (e.g. the V8 heap cap), so whatever starts the
 * service by hand (the bench, the local stack) runs it as `npm run <script>` does.
 */
export function nodeFlagsOfScript(script: string, entry: string): string[] {
  const { scripts } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { scripts: Record<string, string> };
  const words = (scripts[script] ?? '').trim().split(/\s+/);
  if (words[0] === 'exec') words.shift();
  if (words[0] !== 'node' || words[words.length - 1] !== entry) {
    throw new Error(`package script ${script} is not "exec node [flags] ${entry}": ${scripts[script]}`);
  }
  return words.slice(1, -1);
}
