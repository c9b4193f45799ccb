import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { processTree, UsageMeter } from './proc-stats';

describe('process tree', () => {
  it('finds the children of a process, and their children', async () => {
    // A child that starts a grandchild and prints its pid.
    const script = `const c = require('node:child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
      console.log(c.pid); process.on('SIGTERM', () => { c.kill(); process.exit(0); });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const tree = processTree(process.pid);
      expect(tree[0]).toBe(process.pid);
      expect(tree).toEqual(expect.arrayContaining([child.pid, Number(line.toString().trim())]));
      expect(processTree(child.pid!)).toHaveLength(2);
      const usage = new UsageMeter(child.pid!, true).stop();
      expect(usage.rssMbEnd).toBeGreaterThan(new UsageMeter(child.pid!).stop().rssMbEnd);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
