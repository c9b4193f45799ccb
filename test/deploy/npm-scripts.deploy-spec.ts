import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeFlagsOfScript } from '../support/package-scripts';
import { REPO_ROOT } from './manifests';

const scripts = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/**
 * npm runs a script through `sh -c` and passes SIGTERM to that shell, which (Debian's dash) neither forwards it nor
 * replaces itself with the command: `kill <npm's pid>` left the service, its embedded PostgreSQL or the local stack
 * running. A script whose last command `exec`s it hands the signal to the process that drains and cleans up.
 */
describe('npm scripts that run a long-lived process', () => {
  it.each(['start', 'start:dev', 'start:prod', 'start:worker', 'cli', 'stack:local'])(
    '%s execs its process, so the signal npm passes on reaches it',
    (name) => {
      const last = scripts[name].split('&&').pop()!.trim();
      expect(last).toMatch(/^exec /);
    },
  );
});

describe('nodeFlagsOfScript (how the bench and the local stack start the service as npm does)', () => {
  it("reads the node flags of an exec'd script, and refuses a script of another shape", () => {
    expect(nodeFlagsOfScript('start:prod', 'dist/src/main.js')).toEqual(['--max-old-space-size=192']);
    expect(nodeFlagsOfScript('start:worker', 'dist/src/worker.js')).toEqual(['--max-old-space-size=192']);
    expect(() => nodeFlagsOfScript('start', 'dist/src/main.js')).toThrow(
      /is not "exec node \[flags\] dist\/src\/main.js"/,
    );
  });
});
