import { createHash, scryptSync } from 'node:crypto';
import { adminKeyActor } from './admin-audit.entity';

describe('adminKeyActor', () => {
  const key = 'an-admin-key-0123456789';

  it('names a key by 8 hex digits of a slow, salted derivation, one a stolen audit table cannot test guesses against quickly', () => {
    const actor = adminKeyActor(key);
    expect(actor).toMatch(/^key:[0-9a-f]{8}$/);
    expect(actor).not.toBe(`key:${createHash('sha256').update(key).digest('hex').slice(0, 8)}`);
    expect(actor).toBe(
      `key:${scryptSync(key, 'combot admin audit key id', 4, { N: 2 ** 14, r: 8, p: 1 }).toString('hex')}`,
    );
  });

  it('is the same for the same key (a rotated key gets another), with the session when there is one', () => {
    expect(adminKeyActor(key)).toBe(adminKeyActor(key));
    expect(adminKeyActor('another-admin-key-98765')).not.toBe(adminKeyActor(key));
    expect(adminKeyActor(key, '0123456789abcdef')).toBe(`${adminKeyActor(key)} session:01234567`);
  });
});
