import { isOneAddress, namesAddress } from './email-address';

describe('namesAddress', () => {
  it('names the address found whole, in any letter case', () => {
    expect(namesAddress('Alice@Uni.org', 'alice@uni.org')).toBe(true);
    expect(namesAddress('alice@uni.org.uk', 'alice@uni.org')).toBe(false);
  });

  it('names it when what was typed right before it came along (quotes, =, symbols, another script)', () => {
    for (const found of [
      "'alice@uni.org",
      '\u201calice@uni.org',
      'user=alice@uni.org',
      '*alice@uni.org',
      '\u662falice@uni.org',
      '\u200balice@uni.org',
    ])
      expect({ found, names: namesAddress(found, 'alice@uni.org') }).toEqual({ found, names: true });
  });

  it('does not name it inside another address: a letter, digit, mark or . _ + - before it continues the local part', () => {
    for (const found of [
      'malice@uni.org',
      'x.alice@uni.org',
      'x+alice@uni.org',
      'x_alice@uni.org',
      'x-alice@uni.org',
      '2alice@uni.org',
      '\u00e9alice@uni.org',
    ])
      expect({ found, names: namesAddress(found, 'alice@uni.org') }).toEqual({ found, names: false });
  });
});

describe('isOneAddress', () => {
  it('is true for one address alone, around spaces aside', () => {
    expect(isOneAddress(' dave@uni.org ')).toBe(true);
    for (const text of ['Dave <dave@uni.org>', 'mailto:dave@uni.org', 'dave@uni.org.', '@', 'a@b.org c@d.org', ''])
      expect({ text, one: isOneAddress(text) }).toEqual({ text, one: false });
  });
});
