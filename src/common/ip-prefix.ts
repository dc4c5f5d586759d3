import { isIPv4, isIPv6 } from 'node:net';

/**
 * The network an address belongs to, as `a.b.c.0/24` or `2001:db8:1::/48`. A device is a browser on a
 * network rather than an exact address: home and mobile addresses change within their provider's block.
 */
export function ipPrefix(ip: string, v4Bits = 24, v6Bits = 48): string {
  if (isIPv4(ip)) {
    const value = ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
    const masked = v4Bits === 0 ? 0 : Math.floor(value / 2 ** (32 - v4Bits)) * 2 ** (32 - v4Bits);
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(masked / 2 ** shift) % 256);
    return `${octets.join('.')}/${v4Bits}`;
  }
  if (isIPv6(ip)) {
    const groups = expandIPv6(ip);
    const kept = groups.map((group, index) => {
      const bits = Math.min(16, Math.max(0, v6Bits - index * 16));
      return bits === 0 ? 0 : group & (0xffff << (16 - bits)) & 0xffff;
    });
    return `${compressIPv6(kept)}/${v6Bits}`;
  }
  return ip;
}

function expandIPv6(ip: string): number[] {
  let address = ip.split('%')[0];
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    address = address.slice(0, -v4[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = address.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const zeros = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...zeros, ...back];
}

function compressIPv6(groups: number[]): string {
  const text = groups.map((group) => group.toString(16)).join(':');
  return text.replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}
