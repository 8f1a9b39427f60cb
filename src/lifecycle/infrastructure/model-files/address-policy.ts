import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Addresses a model download must not reach unless the operator allows it: loopback,
 * RFC 1918 and CGNAT, link-local (cloud metadata at 169.254.169.254), unique-local,
 * multicast, reserved and unspecified ranges, and IPv4 mapped into IPv6.
 */
const NON_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['::ffff:0:0', 96], ['64:ff9b::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** Link-local holds cloud metadata services (169.254.169.254): never a model source, whatever the setting. */
const LINK_LOCAL = new BlockList();
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');
LINK_LOCAL.addSubnet('::ffff:169.254.0.0', 112, 'ipv6');

function isLinkLocalAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LINK_LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The refusal, with the setting that lifts it. */
export class AddressNotAllowedError extends Error {
  constructor(readonly host: string) {
    super(`${host} is not an allowed address: loopback, private and link-local addresses are refused (MODELMORA_ALLOW_PRIVATE_SOURCES=true allows all but link-local)`);
    this.name = 'AddressNotAllowedError';
  }
}

/**
 * A `lookup` for http.request that refuses what the policy does not allow: the check and
 * the connection use one resolution, so DNS cannot swap the address after the check.
 */
export function checkedLookup(allowPrivate: boolean): LookupFunction {
  const refused = allowPrivate ? isLinkLocalAddress : isNonPublicAddress;
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...(options as LookupOptions), all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as LookupAddress[];
      const bad = list.find((a) => refused(a.address));
      if (bad || list.length === 0) return callback(new AddressNotAllowedError(hostname) as NodeJS.ErrnoException, '', 0);
      if ((options as LookupOptions).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** URL hosts that are IP literals skip DNS (and so the lookup above): they are checked here. */
export function literalHostRefused(url: URL, allowPrivate: boolean): boolean {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) === 0) return false;
  return allowPrivate ? isLinkLocalAddress(host) : isNonPublicAddress(host);
}
