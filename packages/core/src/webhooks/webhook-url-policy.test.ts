import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPublicAddress, MAX_WEBHOOK_URL_LENGTH, type ResolveHost } from './webhook-url-policy.js';

/** A DNS server in a function: each name's addresses. */
function fakeDns(records: Record<string, string[]>): ResolveHost {
  return async (hostname) => {
    const addresses = records[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

describe('isPublicAddress', () => {
  it.each(['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:0808:0808::1', '64:ff9b::808:808'])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.1', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fc00::1', 'IPv6 unique-local'],
    ['fd12:3456::1', 'IPv6 unique-local'],
    ['ff02::1', 'IPv6 multicast'],
    ['2001:db8::1', 'IPv6 documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['2002:7f00:0001::1', '6to4 of loopback'],
    ['2002:c0a8:0101::1', '6to4 of a private address'],
    ['64:ff9b::7f00:1', 'NAT64 of loopback'],
    ['2001:0:4136:e378::1', 'Teredo'],
    ['fe80::1%eth0', 'scoped'],
    ['not-an-address', 'not an address'],
  ])('refuses %s (%s)', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  const resolve = fakeDns({ 'hooks.example.com': ['93.184.216.34'], 'internal.example.com': ['10.0.0.5'], 'mixed.example.com': ['93.184.216.34', '127.0.0.1'] });

  it('accepts an https URL whose host resolves to public addresses only', async () => {
    const check = await checkWebhookUrl('https://hooks.example.com/i2m?x=1', { resolve });
    expect(check).toMatchObject({ ok: true });
    expect(check.ok && check.url.href).toBe('https://hooks.example.com/i2m?x=1');
  });

  it('refuses http:// unless allowHttp', async () => {
    expect(await checkWebhookUrl('http://hooks.example.com/', { resolve })).toEqual({ ok: false, reason: 'must use https://' });
    expect(await checkWebhookUrl('http://hooks.example.com/', { resolve, allowHttp: true })).toMatchObject({ ok: true });
    expect(await checkWebhookUrl('ftp://hooks.example.com/', { resolve, allowHttp: true })).toEqual({ ok: false, reason: 'must use https:// or http://' });
  });

  it('refuses what is not a URL, credentials in it, and a URL over the length cap', async () => {
    expect(await checkWebhookUrl('hooks.example.com/i2m', { resolve })).toEqual({ ok: false, reason: 'is not an absolute URL' });
    expect(await checkWebhookUrl('https://user:pw@hooks.example.com/', { resolve })).toEqual({ ok: false, reason: 'must not carry credentials' });
    const long = `https://hooks.example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH)}`;
    expect(await checkWebhookUrl(long, { resolve })).toEqual({ ok: false, reason: `is longer than ${MAX_WEBHOOK_URL_LENGTH} characters` });
  });

  it('refuses a host resolving to a private address, or to any private address among public ones', async () => {
    expect(await checkWebhookUrl('https://internal.example.com/', { resolve })).toEqual({
      ok: false,
      reason: 'has a host that resolves to a non-public address (internal.example.com → 10.0.0.5)',
    });
    expect(await checkWebhookUrl('https://mixed.example.com/', { resolve })).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://internal.example.com/', { resolve, allowPrivate: true })).toMatchObject({ ok: true });
  });

  it('refuses literal non-public addresses, IPv6 ones in brackets too, without asking DNS', async () => {
    const noDns: ResolveHost = () => Promise.reject(new Error('DNS must not be asked'));
    expect(await checkWebhookUrl('https://127.0.0.1:8443/', { resolve: noDns })).toEqual({ ok: false, reason: 'points at a non-public address (127.0.0.1)' });
    expect(await checkWebhookUrl('https://[::1]/', { resolve: noDns })).toEqual({ ok: false, reason: 'points at a non-public address (::1)' });
    expect(await checkWebhookUrl('https://[::ffff:7f00:1]/', { resolve: noDns })).toMatchObject({ ok: false });
    expect(await checkWebhookUrl('https://0x7f.1/', { resolve: noDns })).toMatchObject({ ok: false }); // the URL parser reads it as 127.0.0.1
    expect(await checkWebhookUrl('https://93.184.216.34/', { resolve: noDns })).toMatchObject({ ok: true });
    expect(await checkWebhookUrl('https://127.0.0.1/', { resolve: noDns, allowPrivate: true })).toMatchObject({ ok: true });
  });

  it('refuses a host that does not resolve', async () => {
    expect(await checkWebhookUrl('https://nowhere.example.com/', { resolve })).toEqual({ ok: false, reason: 'has a host that does not resolve (nowhere.example.com)' });
  });

  it('refuses localhost through the system resolver, which answers 127.0.0.1, unless allowPrivate', async () => {
    expect(await checkWebhookUrl('https://localhost/hook')).toMatchObject({ ok: false, reason: expect.stringMatching(/^has a host that resolves to a non-public address \(localhost → (127\.0\.0\.1|::1)\)$/) });
    expect(await checkWebhookUrl('https://localhost/hook', { allowPrivate: true })).toMatchObject({ ok: true });
  });
});
