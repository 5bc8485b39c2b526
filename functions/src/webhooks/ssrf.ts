import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may not point: loopback, private, link-local (the metadata server at
 * 169.254.169.254 among them), CGNAT, multicast, reserved and unspecified addresses, IPv4 and IPv6
 * (IPv4-mapped IPv6 addresses are checked as the IPv4 address they map).
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // IPv4-compatible (`::7f00:1`), the unspecified and the loopback address
  ['::ffff:0:0:0', 96], // IPv4-translated
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Host names of metadata servers, refused by name before any lookup. */
const METADATA_HOSTS = new Set(['metadata', 'metadata.google.internal', 'metadata.goog']);

/** Whether an address is one a webhook may not reach. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1], 'ipv4');
  return blocked.check(address, 'ipv6');
}

/**
 * Loopback receivers (`http://127.0.0.1:*`, `http://localhost:*`) are allowed only under the
 * Functions emulator, or where WEBHOOKS_ALLOW_LOOPBACK=true says so (the tests' in-process app).
 */
export function loopbackAllowed(): boolean {
  return (
    process.env.FUNCTIONS_EMULATOR === 'true' || process.env.WEBHOOKS_ALLOW_LOOPBACK === 'true'
  );
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

export function isLocalReceiver(url: URL): boolean {
  return loopbackAllowed() && LOOPBACK_HOSTS.has(url.hostname) && /^https?:$/.test(url.protocol);
}

/** What is wrong with a webhook URL before any lookup, or null. */
export function urlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not a URL.';
  }
  if (url.username || url.password) return 'must not carry credentials.';
  if (isLocalReceiver(url)) return null;
  if (url.protocol !== 'https:') return 'must be https.';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (METADATA_HOSTS.has(host) || host === 'localhost' || host.endsWith('.localhost')) {
    return 'must not point to a local or metadata host.';
  }
  if (isIP(host) && isBlockedAddress(host)) {
    return 'must not point to a loopback, private, link-local, CGNAT, multicast or metadata address.';
  }
  return null;
}

/**
 * Resolves the URL's host and refuses it when any address is blocked (or it does not resolve):
 * the registration check. Delivery checks again, in the connection's own lookup.
 */
export async function resolvedProblem(raw: string): Promise<string | null> {
  const problem = urlProblem(raw);
  if (problem) return problem;
  const url = new URL(raw);
  if (isLocalReceiver(url)) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch {
    return `has a host that does not resolve (${host}).`;
  }
  if (addresses.length === 0 || addresses.some(({ address }) => isBlockedAddress(address))) {
    return 'resolves to a loopback, private, link-local, CGNAT, multicast or metadata address.';
  }
  return null;
}
