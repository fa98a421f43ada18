import { isIP, isIPv4 } from 'node:net';

/** What Express's `trust proxy` setting takes: all or nothing, a hop count, or the proxies' addresses. */
export type TrustProxy = boolean | number | string[];

/** proxy-addr's names for address ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** True for a dotted IPv4 netmask whose ones are contiguous (255.240.0.0), as proxy-addr requires. */
function isContiguousNetmask(mask: string): boolean {
  const bits = mask
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits);
}

/** An address, a range name, or `address/prefix` (`address/netmask` for IPv4), as Express accepts them. */
function isProxyEntry(entry: string): boolean {
  if (RANGE_NAMES.has(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIPv4(range) && isContiguousNetmask(range);
}

/**
 * `TRUST_PROXY`: `true`/`false`, a hop count (`1`: the nearest proxy), or a comma-separated list
 * of proxy addresses, ranges and names (`loopback`, `10.0.0.0/8`, …); null when it is none of them.
 */
export function parseTrustProxy(value: string): TrustProxy | null {
  const text = value.trim();
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  return entries.length > 0 && entries.every(isProxyEntry) ? entries : null;
}
