import { attemptBucketOf } from './client-address';

describe('attemptBucketOf', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(attemptBucketOf('203.0.113.9')).toBe('203.0.113.9');
  });

  it('reads an IPv4 address mapped into IPv6 (a dual-stack socket) as that IPv4 address', () => {
    expect(attemptBucketOf('::ffff:10.0.0.5')).toBe('10.0.0.5');
    expect(attemptBucketOf('::FFFF:10.0.0.5')).toBe('10.0.0.5');
    expect(attemptBucketOf('::ffff:a00:5')).toBe('10.0.0.5');
  });

  it('counts an IPv6 address by its /64, however it is written: one subscriber holds the whole /64', () => {
    const bucket = attemptBucketOf('2001:db8::1');
    expect(bucket).toBe('2001:db8:0:0::/64');
    for (const written of ['2001:DB8:0:0:0:0:0:1', '2001:db8::2', '2001:0db8:0000:0000:ffff:ffff:ffff:ffff'])
      expect({ written, bucket: attemptBucketOf(written) }).toEqual({ written, bucket });
    expect(attemptBucketOf('2001:db8:0:1::1')).not.toBe(bucket);
    expect(attemptBucketOf('::1')).toBe('0:0:0:0::/64');
    expect(attemptBucketOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('keeps anything that is no address as it is (a value the proxy passed on)', () => {
    expect(attemptBucketOf('unknown')).toBe('unknown');
    expect(attemptBucketOf('')).toBe('');
  });
});
