import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address (`::` expanded, an embedded IPv4 tail read as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address.replace(/%.*$/, '');
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1].split('.').map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

/**
 * The key failed admin-key attempts are counted under, from the client address `TRUST_PROXY` yields. An address can
 * be written many ways (`2001:DB8::1`, `2001:db8:0:0:0:0:0:1`; `::ffff:10.0.0.5` for `10.0.0.5` on a dual-stack
 * socket): each would be a fresh budget of guesses. And one IPv6 subscriber holds a whole /64 (2^64 addresses), so
 * IPv6 is counted per /64, as IPv4 is per address.
 */
export function attemptBucketOf(address: string): string {
  if (isIPv4(address)) return address;
  if (!isIPv6(address.replace(/%.*$/, ''))) return address;
  const groups = ipv6Groups(address.toLowerCase());
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/**
 * The client a request counts as, for the rate limit and for failed admin-key attempts: the address `TRUST_PROXY`
 * yields (`request.ip`), written one way (`attemptBucketOf`). When that is no address at all (a trusted proxy passed
 * on an X-Forwarded-For of `garbage1`, `203.0.113.9:1234`), the peer that sent it: otherwise every made-up value
 * would be a client of its own, with a fresh budget.
 */
export function clientKeyOf(request: { ip?: string; socket?: { remoteAddress?: string } }): string {
  const forwarded = request.ip ?? '';
  const bare = forwarded.replace(/%.*$/, '');
  // A zone id (`%eth0`) belongs to an IPv6 link-local address; on IPv4 it would only make one address many.
  const address = isIPv4(bare) ? bare : isIPv6(bare) ? forwarded : (request.socket?.remoteAddress ?? 'unknown');
  return attemptBucketOf(address);
}
