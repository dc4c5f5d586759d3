import ipaddr from 'ipaddr.js';
import { BlockList } from 'node:net';
import proxyaddr from 'proxy-addr';

/** The names Express `trust proxy` (proxy-addr) accepts besides addresses and subnets. */
const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The widest subnet TRUST_PROXY may name. A proxy fleet fits in a /8 (IPv4) or a /32 (IPv6, one
 * provider allocation); `0.0.0.0/1,128.0.0.0/1` is "everyone" in two halves and lets any client choose
 * its own IP with X-Forwarded-For, bypassing lockouts and bearer IP binding.
 *
 * The names `linklocal` (fe80::/10) and `uniquelocal` (fc00::/7) are wider than /32 and still accepted,
 * deliberately: those addresses are not routable on the public internet, so only hosts inside your own
 * networks can connect from them, unlike a wide public range. A subnet typed out is judged by width alone.
 */
const MIN_PREFIX = { ipv4: 8, ipv6: 32 } as const;

/** Loopback, private (RFC 1918), shared (RFC 6598), link-local and unique-local (RFC 4193) ranges. */
const NON_PUBLIC_PREFIX: [BlockList, number, 'ipv4' | 'ipv6'][] = [
  ...(
    [
      ['127.0.0.0', 8],
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['100.64.0.0', 10],
      ['169.254.0.0', 16],
    ] as const
  ).map(([network, prefix]): [BlockList, number, 'ipv4'] => [block(network, prefix, 'ipv4'), prefix, 'ipv4']),
  ...(
    [
      ['::1', 128],
      ['fe80::', 10],
      ['fc00::', 7],
    ] as const
  ).map(([network, prefix]): [BlockList, number, 'ipv6'] => [block(network, prefix, 'ipv6'), prefix, 'ipv6']),
];

function block(network: string, prefix: number, family: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return list;
}

interface Subnet {
  /** The address as ipaddr.js normalises it, so every spelling of one address reads the same. */
  address: string;
  family: 'ipv4' | 'ipv6';
  prefix: number;
  ip: ipaddr.IPv4 | ipaddr.IPv6;
}

/**
 * An address, `address/prefix` or IPv4 `address/netmask` (already accepted by proxy-addr) as a subnet,
 * parsed with ipaddr.js, the parser proxy-addr itself uses: `0:0:0:0:0:ffff:0:0` and `::ffff:0.0.0.0` are
 * one address, which no pattern on the text can promise. A bare IPv4-mapped address is the IPv4 address,
 * as proxy-addr stores it.
 */
function subnet(entry: string): Subnet | undefined {
  const slash = entry.lastIndexOf('/');
  const text = slash === -1 ? entry : entry.slice(0, slash);
  const mask = slash === -1 ? undefined : entry.slice(slash + 1);
  if (!ipaddr.isValid(text)) return undefined;
  let ip = ipaddr.parse(text);
  if (mask === undefined && ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) {
    ip = (ip as ipaddr.IPv6).toIPv4Address();
  }
  const family = ip.kind();
  let prefix = family === 'ipv4' ? 32 : 128;
  if (mask !== undefined) {
    prefix = /^\d+$/.test(mask)
      ? Number(mask)
      : ipaddr.isValid(mask)
        ? (ipaddr.parse(mask).prefixLengthFromSubnetMask() ?? 0)
        : 0;
  }
  return { address: ip.toNormalizedString(), family, prefix, ip };
}

/** Every IPv4-mapped IPv6 address, ::ffff:0:0/96: proxy-addr matches such subnets against IPv4 clients. */
const IPV4_MAPPED = ipaddr.IPv6.parse('::ffff:0:0');

/**
 * Why an IPv6 subnet must not be named: it is IPv4-mapped (proxy-addr would trust the IPv4 clients it
 * maps, however the address is spelt), or it contains all of ::ffff:0:0/96 (every IPv4 client, in
 * proxy-addr versions that map IPv4 clients into any IPv6 subnet). Wider than /32 is refused for width.
 */
function mappedProblem(entry: string, parsed: Subnet): string | undefined {
  if (parsed.family !== 'ipv6') return undefined;
  const ip = parsed.ip as ipaddr.IPv6;
  if (parsed.prefix >= 96 && ip.isIPv4MappedAddress()) {
    const network = new ipaddr.IPv4(
      ip
        .toIPv4Address()
        .toByteArray()
        .map((byte, index) => {
          const bits = Math.min(8, Math.max(0, parsed.prefix - 96 - index * 8));
          return byte & ((0xff << (8 - bits)) & 0xff);
        }),
    );
    return (
      `TRUST_PROXY entry ${entry} is an IPv4-mapped IPv6 range, which proxy-addr matches against IPv4 ` +
      `clients; name the IPv4 range instead (${network.toString()}/${parsed.prefix - 96})`
    );
  }
  if (parsed.prefix >= MIN_PREFIX.ipv6 && parsed.prefix < 96 && IPV4_MAPPED.match(ip, parsed.prefix)) {
    return (
      `TRUST_PROXY entry ${entry} contains the IPv4-mapped range ::ffff:0:0/96, that is every IPv4 ` +
      'client; name your IPv6 proxies with a narrower subnet and IPv4 proxies by their IPv4 range'
    );
  }
  return undefined;
}

/**
 * Problems with a TRUST_PROXY list, each naming the setting: what proxy-addr itself refuses (it would
 * otherwise crash start-up with a bare TypeError), `true`/`*`, and subnets wider than MIN_PREFIX.
 */
export function trustProxyProblems(entries: string[]): string[] {
  if (entries.includes('true') || entries.includes('*')) {
    return [
      'TRUST_PROXY=true would trust X-Forwarded-For from anyone; name your proxies (e.g. loopback or 10.0.0.0/8)',
    ];
  }
  // Express reads a bare number as a hop count ("trust the first n hops", whoever they are); proxy-addr,
  // which TRUST_PROXY is compiled with, reads `1` as the address 0.0.0.1. Neither names a proxy.
  const numbers = entries.filter((entry) => /^\d+$/.test(entry));
  if (numbers.length > 0) {
    return [
      `TRUST_PROXY=${numbers.join(',')}: hop counts are not supported (a count trusts whoever is that many ` +
        'hops away); name the proxy addresses instead, e.g. loopback or 10.0.0.5',
    ];
  }
  try {
    proxyaddr.compile(entries);
  } catch (error) {
    return [
      `TRUST_PROXY: ${(error as Error).message}; use addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal`,
    ];
  }
  const problems: string[] = [];
  for (const entry of entries) {
    const parsed = subnet(entry);
    if (!parsed) continue;
    const mapped = mappedProblem(entry, parsed);
    if (mapped) {
      problems.push(mapped);
      continue;
    }
    const { family, prefix } = parsed;
    if (prefix < MIN_PREFIX[family]) {
      problems.push(
        `TRUST_PROXY entry ${entry} spans too many addresses: anyone in it could choose their own IP with ` +
          `X-Forwarded-For; name your proxies with a /${MIN_PREFIX[family]} or narrower (${family})`,
      );
    }
  }
  return problems;
}

/** Entries that may match public addresses (not loopback, private, link-local or unique-local). */
export function publicTrustProxyEntries(entries: string[]): string[] {
  return entries.filter((entry) => {
    if (NAMED_RANGES.includes(entry)) return false;
    const parsed = subnet(entry);
    if (!parsed) return true;
    return !NON_PUBLIC_PREFIX.some(
      ([list, prefix, family]) =>
        family === parsed.family && list.check(parsed.address, family) && parsed.prefix >= prefix,
    );
  });
}
