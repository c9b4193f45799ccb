import { attemptBucketOf, clientKeyOf } from './client-address';

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

describe('clientKeyOf', () => {
  const request = (ip: string | undefined, remoteAddress = '127.0.0.1') => ({ ip, socket: { remoteAddress } });

  it('is the address TRUST_PROXY yields, written one way', () => {
    expect(clientKeyOf(request('203.0.113.9'))).toBe('203.0.113.9');
    expect(clientKeyOf(request('2001:DB8:1:2::1'))).toBe('2001:db8:1:2::/64');
  });

  it('is the peer (the proxy that passed it) when a forwarded "address" is no address, so garbage is one client', () => {
    for (const forwarded of ['garbage1', 'garbage2', '203.0.113.9:1234', '[2001:db8:1:2::1]', '', undefined]) {
      expect(clientKeyOf(request(forwarded, '10.1.2.3'))).toBe('10.1.2.3');
    }
    expect(clientKeyOf({ ip: 'x', socket: {} })).toBe('unknown');
    // A zone id does not make an IPv4 address another client.
    for (const zone of ['%q1', '%q2', '%eth0'])
      expect(clientKeyOf(request(`198.51.100.9${zone}`))).toBe('198.51.100.9');
  });
});
