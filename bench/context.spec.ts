import { BenchContext } from './context';
import { planFor } from './plan';

describe('BenchContext.interleave', () => {
  it('runs the arms in interleaved order and hands back each arm’s results in round order', async () => {
    const ctx = new BenchContext(planFor('quick'), () => undefined);
    const calls: string[] = [];
    const { order, rounds } = await ctx.interleave(['a', 'b'] as const, (arm, round) => {
      calls.push(`${arm}${round}`);
      return Promise.resolve(`${arm}${round}`);
    });
    expect(order).toEqual([
      ['a', 'b'],
      ['b', 'a'],
      ['a', 'b'],
    ]);
    expect(calls).toEqual(['a1', 'b1', 'b2', 'a2', 'a3', 'b3']);
    expect(rounds).toEqual({ a: ['a1', 'a2', 'a3'], b: ['b1', 'b2', 'b3'] });
  });
});
