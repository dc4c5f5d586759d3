import { BlockList, isIPv4, isIPv6 } from 'node:net';
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
  address: string;
  family: 'ipv4' | 'ipv6';
  prefix: number;
}

/** An address, `address/prefix` or IPv4 `address/netmask` (already accepted by proxy-addr) as a subnet. */
function subnet(entry: string): Subnet | undefined {
  const slash = entry.lastIndexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const mask = slash === -1 ? undefined : entry.slice(slash + 1);
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (mask !== undefined) {
    prefix = /^\d+$/.test(mask)
      ? Number(mask)
      : mask.split('.').reduce((bits, octet) => bits + Number(octet).toString(2).replace(/0/g, '').length, 0);
  }
  return { address, family, prefix };
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
    // An IPv4-mapped IPv6 subnet (::ffff:a.b.c.d/n) matches IPv4 clients: judge it as the IPv4 /(n-96).
    const mapped = parsed.family === 'ipv6' && /^::ffff:/i.test(parsed.address);
    const family = mapped ? 'ipv4' : parsed.family;
    const prefix = mapped ? parsed.prefix - 96 : parsed.prefix;
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
