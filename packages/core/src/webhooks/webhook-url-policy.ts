import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Every address a host name resolves to. */
export type ResolveHost = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface WebhookUrlPolicy {
  /** Accept `http://` too (`WEBHOOK_ALLOW_HTTP`). @default false */
  allowHttp?: boolean;
  /** Accept hosts on loopback, private and other non-public addresses (`WEBHOOK_ALLOW_PRIVATE`). @default false */
  allowPrivate?: boolean;
  /** How host names are resolved; tests inject one to play a DNS server. @default dns.lookup, every address */
  resolve?: ResolveHost;
}

export type WebhookUrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export const resolveWithSystem: ResolveHost = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** IPv6 ranges that carry an IPv4 address: such an address is as public as the IPv4 one inside. */
const EMBEDDING_IPV4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052', '6to4']);

function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 {
  const bytes = address.toByteArray();
  // 6to4 (2002:AABB:CCDD::/48) holds it right after the prefix; the others in the last 32 bits.
  const at = address.range() === '6to4' ? 2 : 12;
  return new ipaddr.IPv4(bytes.slice(at, at + 4));
}

/**
 * Whether an address is on the public internet: ipaddr.js's "unicast" range, i.e. none of its
 * special ranges (loopback, private, link-local, unique-local, carrier-grade NAT, unspecified,
 * multicast, broadcast, reserved, documentation, Teredo…). An IPv6 address embedding an IPv4 one
 * (IPv4-mapped, NAT64, 6to4) is judged by that IPv4 address.
 */
export function isPublicAddress(text: string): boolean {
  if (!ipaddr.isValid(text)) return false;
  const address = ipaddr.parse(text);
  if (address.kind() === 'ipv6') {
    const v6 = address as ipaddr.IPv6;
    if (v6.zoneId !== undefined) return false;
    const range = v6.range();
    if (EMBEDDING_IPV4.has(range)) return isPublicAddress(embeddedIpv4(v6).toString());
    return range === 'unicast';
  }
  return address.range() === 'unicast';
}

/** A URL's host as an address when it is one (`[::1]` → `::1`), else null. */
export function literalAddressOf(url: URL): string | null {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return isIP(host) ? host : null;
}

/** The checks that need no DNS: length, syntax, scheme, credentials, and a literal address's range. */
export function parseWebhookUrl(text: string, policy: WebhookUrlPolicy = {}): WebhookUrlCheck {
  if (text.length > MAX_WEBHOOK_URL_LENGTH) return { ok: false, reason: `is longer than ${MAX_WEBHOOK_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return { ok: false, reason: policy.allowHttp ? 'must use https:// or http://' : 'must use https://' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'must not carry credentials' };
  const literal = literalAddressOf(url);
  if (literal !== null && !policy.allowPrivate && !isPublicAddress(literal)) return { ok: false, reason: `points at a non-public address (${literal})` };
  return { ok: true, url };
}

/**
 * Checks the addresses a host resolves to: all of them must be public (unless allowPrivate), since
 * a client may connect to any. Resolving also catches a name that does not exist.
 */
export async function checkResolvedHost(hostname: string, policy: WebhookUrlPolicy = {}): Promise<{ ok: true; addresses: { address: string; family: number }[] } | { ok: false; reason: string }> {
  let addresses: { address: string; family: number }[];
  try {
    addresses = await (policy.resolve ?? resolveWithSystem)(hostname);
  } catch {
    return { ok: false, reason: `has a host that does not resolve (${hostname})` };
  }
  if (addresses.length === 0) return { ok: false, reason: `has a host that does not resolve (${hostname})` };
  const refused = policy.allowPrivate ? undefined : addresses.find(({ address }) => !isPublicAddress(address));
  if (refused) return { ok: false, reason: `has a host that resolves to a non-public address (${hostname} → ${refused.address})` };
  return { ok: true, addresses };
}

/**
 * Whether a webhook URL may be used, checked when it is given (upload): the syntax rules, then its
 * host's addresses. The sender checks the addresses again at connect time (DNS can change).
 * @example
 * const check = await checkWebhookUrl('https://hooks.example.com/i2m', { allowHttp: false, allowPrivate: false });
 * if (!check.ok) throw validationError('webhook_url', `webhook_url ${check.reason}`);
 */
export async function checkWebhookUrl(text: string, policy: WebhookUrlPolicy = {}): Promise<WebhookUrlCheck> {
  const parsed = parseWebhookUrl(text, policy);
  if (!parsed.ok || literalAddressOf(parsed.url) !== null) return parsed;
  const resolved = await checkResolvedHost(parsed.url.hostname, policy);
  return resolved.ok ? parsed : resolved;
}
