import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { canonicalIp, IpAddress, lockoutKeyOf } from '../../src/domain/ip-address.js'

describe('IP addresses (seed 004 UserIp)', () => {
  it.each([
    ['0.0.0.0', '0.0.0.0'],
    ['203.0.113.7', '203.0.113.7'],
    ['255.255.255.255', '255.255.255.255'],
    ['::1', '::1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0000:0::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['::', '::'],
  ])('reads %s as %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical)
    expect(IpAddress.decode(text)).toEqual(E.right(canonical))
  })

  it.each(['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.4 ', 'localhost', '2001:db8::1::2', '2001:db8:1:2:3:4:5:6:7', '12345::', 'fe80::1%eth0', ':::'])(
    'refuses %j',
    (text) => {
      expect(canonicalIp(text)).toBeNull()
    },
  )

  it('refuses what is not a string with a message naming what is expected', () => {
    const decoded = IpAddress.decode(42)
    expect(E.isLeft(decoded) && decoded.left[0]?.message).toBe('must be an IPv4 or IPv6 address')
  })

  it('counts an IPv4 address by itself and an IPv6 address by its /64 network', () => {
    expect(lockoutKeyOf('203.0.113.7')).toBe('203.0.113.7')
    expect(lockoutKeyOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64')
    expect(lockoutKeyOf('2001:db8:1:2::1')).toBe(lockoutKeyOf('2001:db8:1:2:ffff::'))
    expect(lockoutKeyOf('::1')).toBe('::/64')
  })
})
