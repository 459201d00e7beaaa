import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Only global unicast addresses are public. Everything else (private, loopback, link-local such as the cloud
 * metadata service 169.254.169.254, unique-local, CGNAT, unspecified, multicast, reserved, and IPv6 forms that
 * embed an IPv4 address: mapped, NAT64, 6to4, Teredo) reaches the network the API and worker run in.
 */
export function isPublicAddress(address: string): boolean {
  return ipaddr.isValid(address) && ipaddr.process(address).range() === 'unicast';
}

/** Why an outgoing request (a deploy webhook, a holiday feed) was not made: its host is, or resolves to, an address inside our own network. */
export class PrivateTargetError extends Error {
  constructor(readonly host: string, readonly address: string) {
    super(`${host} is, or resolves to, ${address}, which is not a public address`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request that lets the connection go only to addresses it checked, so the name cannot
 * resolve to a public address for a check and to a private one for the connection (DNS rebinding). A name with
 * any non-public address is refused whole.
 */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, []);
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) return callback(Object.assign(new PrivateTargetError(hostname, refused.address), { code: 'EPRIVATETARGET' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

/** A URL's hostname without the brackets of an IPv6 literal, as lists and address checks spell it. */
export const bareHost = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1');

/** A host given as an address literal never goes through lookup, so it is checked here. */
export function assertPublicLiteral(hostname: string): void {
  const literal = bareHost(hostname);
  if (isIP(literal) && !isPublicAddress(literal)) throw new PrivateTargetError(hostname, literal);
}
