// IP addresses as seed 004's `UserIp` carries them, and the canonical forms
// the IP lockout counts by. One address has many spellings (`::ffff:10.0.0.1`
// is 10.0.0.1, `2001:DB8:0::1` is 2001:db8::1), so addresses are canonicalised
// before they are counted, or a caller could dodge a lockout by respelling one.
import * as t from 'io-ts'

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two), or null. */
const ipv6Groups = (text: string): readonly number[] | null => {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const parse = (part: string): number[] | null => {
    if (part === '') return []
    const groups: number[] = []
    const pieces = part.split(':')
    for (let i = 0; i < pieces.length; i += 1) {
      const piece = pieces[i]!
      if (i === pieces.length - 1 && IPV4.test(piece)) {
        const [a, b, c, d] = piece.split('.').map(Number) as [number, number, number, number]
        groups.push((a << 8) | b, (c << 8) | d)
      } else if (HEX_GROUP.test(piece)) groups.push(parseInt(piece, 16))
      else return null
    }
    return groups
  }
  const head = parse(halves[0]!)
  const tail = halves.length === 2 ? parse(halves[1]!) : []
  if (head === null || tail === null) return null
  if (halves.length === 1) return head.length === 8 ? head : null
  const missing = 8 - head.length - tail.length
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : null
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as `::`. */
const formatIpv6 = (groups: readonly number[]): string => {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i += 1
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === 0) j += 1
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i]
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** The canonical text of an address, or null when `text` is not an IPv4 or IPv6 address. */
export const canonicalIp = (text: string): string | null => {
  if (IPV4.test(text)) return text
  const mapped = MAPPED_IPV4.exec(text)
  if (mapped !== null) return IPV4.test(mapped[1]!) ? mapped[1]! : null
  const groups = ipv6Groups(text)
  if (groups === null) return null
  // An IPv4-mapped address written in hex groups is still the IPv4 address.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.')
  }
  return formatIpv6(groups)
}

/**
 * What the lockout counts an address as: an IPv4 address itself; for IPv6, its
 * /64 network, since one subscriber is routinely given a whole /64 and could
 * otherwise step to a fresh address after every lockout.
 */
export const lockoutKeyOf = (canonical: string): string => {
  const groups = ipv6Groups(canonical)
  if (groups === null || IPV4.test(canonical)) return canonical
  return `${formatIpv6([...groups.slice(0, 4), 0, 0, 0, 0])}/64`
}

/** An IPv4 or IPv6 address, decoded to its canonical text. */
export const IpAddress = new t.Type<string, string, unknown>(
  'an IP address',
  (u): u is string => typeof u === 'string' && canonicalIp(u) === u,
  (u, c) => {
    const canonical = typeof u === 'string' && u.length <= 64 ? canonicalIp(u.trim()) : null
    return canonical === null ? t.failure(u, c, 'must be an IPv4 or IPv6 address') : t.success(canonical)
  },
  t.identity,
)
