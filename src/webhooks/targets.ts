// Where webhook deliveries may go. A receiver on loopback, link-local or a
// private network is refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true: a
// vendor's webhook must not be a way to make the engine POST into its own
// host or network (cloud metadata at 169.254.169.254, an admin port on
// 127.0.0.1). Checked on the addresses the host name resolves to, at
// registration and again before each delivery (a name may resolve elsewhere
// later).
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

const privateRanges = (): BlockList => {
  const list = new BlockList()
  for (const [net, prefix] of [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local (cloud metadata)
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, broadcast
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4')
  }
  for (const [net, prefix] of [
    // (IPv4-mapped addresses, ::ffff:0:0/96, are judged as the IPv4 address they map: BlockList does so.)
    ['::', 128], // unspecified
    ['::1', 128],
    ['64:ff9b::', 96], // NAT64
    ['fc00::', 7], // unique local
    ['fe80::', 10], // link-local
    ['ff00::', 8], // multicast
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6')
  }
  return list
}
const PRIVATE = privateRanges()

/** Whether an address is on loopback, link-local, a private or otherwise non-public range. */
export const isPrivateAddress = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return PRIVATE.check(mapped[1]!, 'ipv4')
  const family = isIP(address)
  if (family === 0) return true
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

export type Resolve = (host: string) => Promise<readonly string[]>

const resolveAll: Resolve = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)

/** Why a URL may not be a webhook target now; null when it may. `unresolved`: what a host that does not resolve means. */
export type TargetCheck = (url: string, unresolved: 'allowed' | 'refused') => Promise<string | null>

export const PRIVATE_TARGET_PROBLEM =
  'must not point at a loopback, link-local or private network address (set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to allow it)'

export const webhookTargets = (allowPrivate: boolean, resolve: Resolve = resolveAll): TargetCheck => async (url, unresolved) => {
  if (allowPrivate) return null
  let host: string
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  } catch {
    return 'is not a URL'
  }
  let addresses: readonly string[]
  try {
    addresses = isIP(host) === 0 ? await resolve(host) : [host]
  } catch {
    return unresolved === 'allowed' ? null : `its host ${host} does not resolve`
  }
  return addresses.some(isPrivateAddress) ? PRIVATE_TARGET_PROBLEM : null
}
