import { BoundedMap } from './bounded-map';

describe('BoundedMap', () => {
  it('evicts the least recently written entry past its bound', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3).set('c', 4);
    expect([...map.keys()]).toEqual(['a', 'c']);
    expect(map.get('a')).toBe(3);
  });
});
