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

/** V8's heap limits the service runs with (README "Performance": why each). */
const HEAP_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=16'];

describe('nodeFlagsOfScript (how the bench and the local stack start the service as npm does)', () => {
  it("reads the node flags of an exec'd script, and refuses a script of another shape", () => {
    expect(nodeFlagsOfScript('start:prod', 'dist/src/main.js')).toEqual(HEAP_FLAGS);
    expect(nodeFlagsOfScript('start:worker', 'dist/src/worker.js')).toEqual(HEAP_FLAGS);
    expect(() => nodeFlagsOfScript('start', 'dist/src/main.js')).toThrow(
      /is not "exec node \[flags\] dist\/src\/main.js"/,
    );
  });
});

describe('every way the service is started runs node with the same flags', () => {
  /** Each `node … <entry>` command line of `file` (a JSON-array command, as Docker, compose and Kubernetes take). */
  function commandsOf(file: string, entry: string): string[][] {
    const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    return [...text.matchAll(/(?:CMD|command:)\s*(\[.*\])\s*$/gm)]
      .map((match) => JSON.parse(match[1].replace(/'/g, '"')) as string[])
      .filter((words) => words[0] === 'node' && words[words.length - 1] === entry);
  }

  it.each([
    ['the API', 'dist/src/main.js', 'start:prod', ['Dockerfile', 'deploy/k8s/base/api-deployment.yaml']],
    [
      'the worker',
      'dist/src/worker.js',
      'start:worker',
      ['docker-compose.yml', 'deploy/k8s/base/worker-deployment.yaml'],
    ],
  ])('%s: the npm script, the image and the manifests', (_name, entry, script, files) => {
    for (const file of files) {
      const commands = commandsOf(file, entry);
      expect({ file, commands: commands.length }).toEqual({ file, commands: 1 });
      expect({ file, flags: commands[0].slice(1, -1) }).toEqual({ file, flags: nodeFlagsOfScript(script, entry) });
    }
  });

  it('npm start runs the API as start:prod does, after building it', () => {
    expect(scripts.start).toBe(`npm run build && ${scripts['start:prod']}`);
  });
});

