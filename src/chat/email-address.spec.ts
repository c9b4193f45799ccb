import {
  addressKey,
  emailsIn,
  emailsInHtml,
  IGNORABLE_RANGES,
  isOneAddress,
  isValidEmail,
  namesAddress,
  replaceEmails,
  replaceEmailsInHtml,
  typedBefore,
} from './email-address';

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

  it('does not name it after an apostrophe or & inside a name (o\'connor@, tom&jerry@): those belong to the address', () => {
    for (const [found, key] of [
      ["o'connor@uni.org", 'connor@uni.org'],
      ['o\u2019connor@uni.org', 'connor@uni.org'],
      ['tom&jerry@uni.org', 'jerry@uni.org'],
      ["d'2x@uni.org", '2x@uni.org'],
      // Two together, and the look-alikes of an apostrophe.
      ["o''connor@uni.org", 'connor@uni.org'],
      ["o'&connor@uni.org", 'connor@uni.org'],
      ['o&&connor@uni.org', 'connor@uni.org'],
      ...['`', '\u2018', '\u201b', '\u2032', '\u02bc', '\u05f3', '\u055a', '\uff07', '\uff40'].map((mark) => [
        `o${mark}connor@uni.org`,
        'connor@uni.org',
      ]),
    ])
      expect({ found, names: namesAddress(found, key) }).toEqual({ found, names: false });
    // Opening a quote (nothing or no letter before it) is still typed around the address.
    for (const found of ["'alice@uni.org", "email='alice@uni.org", ' &alice@uni.org'.trim()])
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

describe('the script of a letter typed right before an address', () => {
  it('continues the local part in a script written with spaces: the address is another participant’s', () => {
    for (const [found, key] of [
      ['\u0434\u0438\u043c\u0430.qz@mail.ru', '\u0438\u043c\u0430.qz@mail.ru'],
      ['\u03c9mega.qz@uni.org', 'mega.qz@uni.org'],
      ['\u043fivan@mail.ru', 'ivan@mail.ru'],
    ])
      expect({ found, names: namesAddress(found, key) }).toEqual({ found, names: false });
  });

  it('is taken for the text around it in a script written without spaces (Chinese, Japanese, Thai)', () => {
    for (const [found, key] of [
      ['\u90ae\u7bb1\u662falice@uni.org', 'alice@uni.org'],
      ['\u30e1\u30fc\u30ebalice@uni.org', 'alice@uni.org'],
      ['\u0e2d\u0e35\u0e40\u0e21\u0e25alice@uni.org', 'alice@uni.org'],
      // Where a Chinese local part begins cannot be told: an erasure by the shorter one takes this transcript too.
      ['\u674e\u660eqz@163.com', '\u660eqz@163.com'],
    ])
      expect({ found, names: namesAddress(found, key) }).toEqual({ found, names: true });
  });
});

describe('addresses holding characters that render as nothing (soft hyphen, zero-width, joiners, BOM)', () => {
  const typed = [
    'sh9.qz@exam\u00adple.org',
    'wj3.qz@exa\u2060mple.org',
    'zwj5.qz@exa\u200dmple.org',
    'bom4.qz@example\ufeff.org',
    'tld.qz@example.o\u00adrg',
    'at.qz@\u200bexample.org',
    'zw1.qz\u200b@example.org',
    'lrm6.qz\u200e@example.org',
    'john.smith\ufeff@uni.org',
    'ali\ufeffce@uni.org',
  ];

  it('are found whole in a transcript and replaced whole', () => {
    for (const address of typed) {
      const text = `The parcel never came, write to ${address} please`;
      expect({ address, found: emailsIn(text) }).toEqual({ address, found: [address] });
      expect(replaceEmails(text, () => '[e-mail removed]')).toBe(
        'The parcel never came, write to [e-mail removed] please',
      );
    }
  });

  it('are the address they look like, for the pseudonym and for an erasure by e-mail', () => {
    for (const address of typed) {
      const clean = address.replace(/[\u00ad\u2060\u200b-\u200f\ufeff]/g, '');
      expect({ address, key: addressKey(address) }).toEqual({ address, key: clean });
      expect({ address, names: namesAddress(address, addressKey(clean)) }).toEqual({ address, names: true });
    }
  });

  it('are listed for SQL exactly as the runtime’s Unicode table has them', () => {
    const listed = (codePoint: number) =>
      IGNORABLE_RANGES.some(([first, last]) => codePoint >= first && codePoint <= last);
    const ignorable = /\p{Default_Ignorable_Code_Point}/u;
    const disagreeing: number[] = [];
    for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++)
      if (listed(codePoint) !== ignorable.test(String.fromCodePoint(codePoint))) disagreeing.push(codePoint);
    expect(disagreeing).toEqual([]);
  });
});

describe('isOneAddress', () => {
  it('is true for one address alone, around spaces aside', () => {
    expect(isOneAddress(' dave@uni.org ')).toBe(true);
    for (const text of ['Dave <dave@uni.org>', 'mailto:dave@uni.org', 'dave@uni.org.', '@', 'a@b.org c@d.org', ''])
      expect({ text, one: isOneAddress(text) }).toEqual({ text, one: false });
  });
});

describe('typedBefore', () => {
  const key = addressKey('alice@example.org');

  it('is the text typed before the address, as typed, or empty for the address itself', () => {
    expect(typedBefore('Alice@Example.org', key)).toBe('');
    expect(typedBefore("'alice@example.org", key)).toBe("'");
    expect(typedBefore('email=ALICE@example.org', key)).toBe('email=');
    expect(typedBefore('我的邮箱是alice@example.org', key)).toBe('我的邮箱是');
  });

  it('finds the start whatever NFC and lower-casing do to the lengths before it', () => {
    // A decomposed accent and a dotted capital I change length when normalised; the prefix is still cut as typed.
    expect(typedBefore('Jose\u0301=alice@example.org', key)).toBe('Jose\u0301=');
    expect(typedBefore('\u0130\u00a7alice@example.org', key)).toBe('\u0130\u00a7');
    const accented = addressKey('jos\u00e9@example.org');
    expect(typedBefore("'jose\u0301@example.org", accented)).toBe("'");
  });

  it('is null for another address, one the participant’s merely ends', () => {
    expect(typedBefore('malice@example.org', key)).toBeNull();
    expect(typedBefore('x.alice@example.org', key)).toBeNull();
    expect(typedBefore('bob@example.org', key)).toBeNull();
  });
});

describe('addresses whose domain is not ASCII (internationalised domain names)', () => {
  it('are accepted at the e-mail step as ASCII ones are', () => {
    for (const email of [
      'zoe@uni-köln.de',
      'zoe@例え.jp',
      'Zoë.Müller@Uni-Köln.de',
      'ivan@почта.рф',
      'a@xn--80ak6aa92e.com',
    ])
      expect({ email, valid: isValidEmail(email) }).toEqual({ email, valid: true });
    for (const email of ['zoe@köln', 'zoe@köln.1', 'zoe@-köln.de', 'zoe@köln..de'])
      expect({ email, valid: isValidEmail(email) }).toEqual({ email, valid: false });
  });

  it('are found whole in a transcript, so pseudonymised exports, retention and erasure by address reach them', () => {
    expect(emailsIn('write me at zoe@uni-köln.de please')).toEqual(['zoe@uni-köln.de']);
    expect(emailsIn('or zoe@例え.jp, or ivan@почта.рф.')).toEqual(['zoe@例え.jp', 'ivan@почта.рф']);
    expect(replaceEmails('mail: Zoë.Müller@Uni-Köln.de!', () => '[e-mail removed]')).toBe('mail: [e-mail removed]!');
    expect(isOneAddress(' zoe@uni-köln.de ')).toBe(true);
    // An ASCII-encoded top-level domain (`xn--p1ai` is `рф`) starts with letters: the address runs to its end.
    expect(emailsIn('ivan@xn--80a1acny.xn--p1ai, ok')).toEqual(['ivan@xn--80a1acny.xn--p1ai']);
    expect(isOneAddress('ivan@xn--80a1acny.xn--p1ai')).toBe(true);
  });
});

describe('a local part longer than mail allows (64), typed in a message', () => {
  const long = `${'secret.name.jonathan.alexander.montgomery.smithson.customer.relations.team'}.uk@example.org`;

  it('is found whole, not as its last 64 characters', () => {
    expect(emailsIn(`write to ${long} please`)).toEqual([long]);
    expect(replaceEmails(`write to ${long} please`, () => '[e-mail removed]')).toBe('write to [e-mail removed] please');
  });

  it('is not the address of its last 64 characters, and the e-mail step refuses it', () => {
    const tail = long.slice(long.lastIndexOf('@') - 64);
    expect(isValidEmail(tail)).toBe(true);
    expect(namesAddress(long, addressKey(tail))).toBe(false);
    expect(isValidEmail(long)).toBe(false);
  });
});

describe('isValidEmail', () => {
  it('refuses a local part that starts or ends with a dot or holds two in a row (RFC 5321 dot-atoms)', () => {
    for (const email of ['.me@example.org', 'me.@example.org', 'me..x@example.org', '.@example.org'])
      expect({ email, valid: isValidEmail(email) }).toEqual({ email, valid: false });
    for (const email of ['me.x@example.org', 'm.e.x@example.org', 'me+tag@example.org'])
      expect({ email, valid: isValidEmail(email) }).toEqual({ email, valid: true });
  });

  it('refuses an address holding a character that renders as nothing: it looks like another address', () => {
    const hidden = ['\u200b', '\u00ad', '\u3164', '\u115f', '\uffa0', '\u034f', '\ufe0f', '\u2800', '\u17b4', '\u180b'];
    for (const invisible of [...hidden, String.fromCodePoint(0xe01ef)]) {
      const email = `al${invisible}ice@example.org`;
      expect({ email, valid: isValidEmail(email) }).toEqual({ email, valid: false });
    }
  });
});

describe('addresses typed in full-width forms (CJK input methods)', () => {
  const fullWidth =
    '\uff36\uff49\uff43\uff54\uff49\uff4d\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\uff0e\uff4f\uff52\uff47';

  it('are found whole in a transcript, with a full-width or small @ and a full-width dot', () => {
    expect(emailsIn(`${fullWidth} fullwidth`)).toEqual([fullWidth]);
    expect(emailsIn('mail me: bob\ufe6bexample\uff0eorg or bob@example.org')).toEqual([
      'bob\ufe6bexample\uff0eorg',
      'bob@example.org',
    ]);
  });

  it('name the participant whose address they are, as erasure and the pseudonym join them', () => {
    expect(addressKey(fullWidth)).toBe('victim@example.org');
    expect(namesAddress(fullWidth, addressKey('Victim@Example.org'))).toBe(true);
  });

  it('are asked for again at the e-mail step: the address to write to is the ASCII one', () => {
    expect(isValidEmail(fullWidth)).toBe(false);
  });
});

describe('addresses with text typed right after them, in another script', () => {
  it('end where the top-level domain changes script: a Korean or Japanese particle is not part of it', () => {
    expect(emailsIn('제 이메일은 ko1@example.org입니다')).toEqual(['ko1@example.org']);
    expect(emailsIn('メールはja1@example.orgです')).toEqual(['\u30e1\u30fc\u30eb\u306fja1@example.org']);
    expect(emailsIn('ru1@example.orgспасибо')).toEqual(['ru1@example.org']);
    expect(emailsIn('xu@example.org．次に')).toEqual(['xu@example.org']);
  });

  it('keep a top-level domain wholly in another script', () => {
    expect(emailsIn('zoe@例え.テスト')).toEqual(['zoe@例え.テスト']);
    expect(emailsIn('ivan@почта.рф, ok')).toEqual(['ivan@почта.рф']);
  });
});

describe('full-width forms: found only where they spell a Latin address', () => {
  it('finds one with ideographic full stops too (。 and ｡, which IDNA reads as dots)', () => {
    const gina = '\uff47\uff49\uff4e\uff41\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\u3002\uff4f\uff52\uff47';
    expect(emailsIn(`mail ${gina} please`)).toEqual([gina]);
    expect(emailsIn('carol@example\u3002org')).toEqual(['carol@example\u3002org']);
    expect(addressKey(gina)).toBe('gina@example.org');
    expect(addressKey('hank@example\uff61org')).toBe('hank@example.org');
  });

  it('never takes Japanese prose that uses ＠ for "at" and ． for a full stop', () => {
    for (const prose of ['明日１０時＠渋谷．駅前で受け取り予定でした', '会議＠東京．その後、配達員が来ませんでした'])
      expect({ prose, found: emailsIn(prose) }).toEqual({ prose, found: [] });
  });

  it('are asked for again at the e-mail step even when only one character is full-width or a ligature', () => {
    for (const email of [
      '\uff41lice@example.org',
      'alice@\uff45xample.org',
      'alice\uff11@example.org',
      '\ufb01lice@example.org',
      'alice@\u2460.org',
    ])
      expect({ email, valid: isValidEmail(email) }).toEqual({ email, valid: false });
  });
});

describe('addresses in text escaped for HTML (a stored reply)', () => {
  it('are found whole with an & escaped in the local part, and given to the caller as typed', () => {
    const html = 'You said: tom&amp;jerry@example.org &amp; &lt;b&gt;x@y.org&lt;/b&gt;';
    expect(emailsInHtml(html)).toEqual(['tom&jerry@example.org', 'x@y.org']);
    expect(replaceEmailsInHtml(html, () => '[e-mail removed]')).toBe(
      'You said: [e-mail removed] &amp; &lt;b&gt;[e-mail removed]&lt;/b&gt;',
    );
  });

  it('escape what the caller puts back', () => {
    expect(replaceEmailsInHtml('a&amp;b@c.org', (address) => `<${address}>`)).toBe('&lt;a&amp;b@c.org&gt;');
  });
});
