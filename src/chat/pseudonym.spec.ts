import { isValidEmail } from './email-address';
import { pseudonymiseEmails, pseudonymOf } from './pseudonym';

const KEY = 'study-key-0123456789';
/** `printf '%s' jane.doe@example.org | openssl dgst -sha256 -hmac study-key-0123456789`: computed outside Node. */
const JANE = '9b7355ddc4a1ed71122bb6c93b5de88d2f18bb9c2c6df12fbf7a8c05999ac691';

describe('pseudonymOf', () => {
  it('is HMAC-SHA256 under the key, in hex', () => {
    expect(pseudonymOf('jane.doe@example.org', KEY)).toBe(JANE);
  });

  it('gives one address the same pseudonym in any letter case and padding', () => {
    expect(pseudonymOf('Jane.Doe@Example.ORG', KEY)).toBe(JANE);
    expect(pseudonymOf('  jane.doe@example.org\n', KEY)).toBe(JANE);
  });

  it('gives one address the same pseudonym whether its accents are typed composed or decomposed', () => {
    const composed = 'jos\u00e9@example.org';
    const decomposed = 'jose\u0301@example.org';
    expect(pseudonymOf(decomposed, KEY)).toBe(pseudonymOf(composed, KEY));
    expect(pseudonymOf('JOSE\u0301@example.org', KEY)).toBe(pseudonymOf(composed, KEY));
  });

  it('differs between addresses and between keys', () => {
    expect(pseudonymOf('john.doe@example.org', KEY)).not.toBe(JANE);
    expect(pseudonymOf('jane.doe@example.org', `${KEY}x`)).not.toBe(JANE);
  });
});

describe('pseudonymiseEmails', () => {
  it('replaces a step-6 message (the address alone) by exactly the pseudonym of the address', () => {
    for (const email of ['jane.doe@example.org', 'p_42+study@u-1.example2.co.uk', `${'a'.repeat(64)}@b.org`]) {
      expect(isValidEmail(email)).toBe(true);
      expect(pseudonymiseEmails(email, KEY)).toBe(pseudonymOf(email, KEY));
    }
  });

  it('replaces every address inside free text and leaves the rest as it was', () => {
    const text = 'Write to Jane.Doe@example.org (or jane.doe@example.org), not to <ops@shop.example.com>. Thanks!';
    expect(pseudonymiseEmails(text, KEY)).toBe(
      `Write to ${JANE} (or ${JANE}), not to <${pseudonymOf('ops@shop.example.com', KEY)}>. Thanks!`,
    );
  });

  it('leaves text without an address alone', () => {
    const text = 'My parcel is late; reach me at home @ 5pm, order #12.';
    expect(pseudonymiseEmails(text, KEY)).toBe(text);
  });

  it('gives the participant’s own address, typed right after a quote, `=` or text in another script, the pseudonym of their e-mail field', () => {
    // The pattern takes such a character in as part of the local part; knowing whose conversation it is, the text
    // typed before the address stays as typed and the address gets the pseudonym its e-mail field gets.
    const participant = 'Jane.Doe@example.org';
    expect(pseudonymiseEmails("it's 'jane.doe@example.org'", KEY, participant)).toBe(`it's '${JANE}'`);
    expect(pseudonymiseEmails('email=jane.doe@example.org', KEY, participant)).toBe(`email=${JANE}`);
    expect(pseudonymiseEmails('我的邮箱是jane.doe@example.org', KEY, participant)).toBe(`我的邮箱是${JANE}`);
    // Text typed right after it, in another script, is not part of it either; nor are full-width forms another address.
    expect(pseudonymiseEmails('제 이메일은 jane.doe@example.org입니다', KEY, participant)).toBe(
      `제 이메일은 ${JANE}입니다`,
    );
    expect(
      pseudonymiseEmails(
        '\uff4a\uff41\uff4e\uff45\uff0e\uff44\uff4f\uff45\uff20\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45\u3002\uff4f\uff52\uff47',
        KEY,
        participant,
      ),
    ).toBe(JANE);
    // Another address that merely ends with the participant's is another participant's: pseudonymised whole.
    for (const other of ['xjane.doe@example.org', 'x.jane.doe@example.org', 'x+jane.doe@example.org']) {
      expect(pseudonymiseEmails(other, KEY, participant)).toBe(pseudonymOf(other, KEY));
    }
    // Without the participant's address (none given yet), quotes and marks typed before an address stay as typed.
    expect(pseudonymiseEmails("'jane.doe@example.org'", KEY)).toBe(`'${JANE}'`);
    expect(pseudonymiseEmails("'jane.doe@example.org'", KEY, null)).toBe(`'${JANE}'`);
  });

  it('keeps quotes and marks typed before anyone’s address out of its pseudonym, as an erasure by it reads them', () => {
    const other = 'Dave@Example.org';
    const dave = pseudonymOf(other, KEY);
    for (const [typed, expected] of [
      ["'dave@example.org'", `'${dave}'`],
      ['me &dave@example.org', `me &${dave}`],
      ['`dave@example.org`', `\`${dave}\``],
      ['\u2018dave@example.org\u2019', `\u2018${dave}\u2019`],
      ['bob@y.org&dave@example.org', `${pseudonymOf('bob@y.org', KEY)}&${dave}`],
    ])
      expect({ typed, out: pseudonymiseEmails(typed, KEY, 'carol@example.org') }).toEqual({ typed, out: expected });
    // Letters and what continues a local part stay in the address: another one, pseudonymised whole.
    for (const typed of ['+dave@example.org', "o'dave@example.org", '\u662fdave@example.org'])
      expect(pseudonymiseEmails(typed, KEY)).toBe(pseudonymOf(typed, KEY));
  });
});
