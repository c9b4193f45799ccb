import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { distinctResidentMb, memory, processTree, UsageMeter } from './proc-stats';

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

describe('distinct resident memory', () => {
  it('counts a page that several processes map once: two node processes share the node binary', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pids = [process.pid, child.pid!];
      const distinct = distinctResidentMb(pids);
      // Page frame numbers need root (as in CI here); without them there is nothing to count.
      if (process.getuid?.() !== 0) return expect(distinct).toBeNull();
      const sum = memory(process.pid).rssMb + memory(child.pid!).rssMb;
      expect(distinctResidentMb([process.pid, process.pid])).toBeCloseTo(distinctResidentMb([process.pid])!, -1);
      expect(distinct).toBeGreaterThan(memory(process.pid).rssMb * 0.9);
      expect(distinct).toBeLessThan(sum - 10);
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });
});
