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
    // Two idle processes, not this one: jest's own heap moves by tens of MB between two readings.
    const children = [0, 1].map(() =>
      spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const [first, second] = children.map((child) => child.pid!);
      const distinct = distinctResidentMb([first, second]);
      // Page frame numbers need root (as in CI here); without them there is nothing to count.
      if (process.getuid?.() !== 0) return expect(distinct).toBeNull();
      const sum = memory(first).rssMb + memory(second).rssMb;
      expect(distinctResidentMb([first, first])).toBeCloseTo(distinctResidentMb([first])!, -1);
      expect(distinct).toBeGreaterThan(memory(first).rssMb * 0.9);
      expect(distinct).toBeLessThan(sum - 10);
    } finally {
      for (const child of children) {
        child.kill();
        await once(child, 'exit');
      }
    }
  });
});
