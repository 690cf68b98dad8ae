// The settings the seat and token features add to the configuration.
import { generateKeyPairSync } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { loadConfig, SETTINGS } from '../src/config.js'

describe('configuration of seats and tokens', () => {
  it('reads LICENSING_SIGNING_KEY as a PKCS#8 PEM, with real or escaped newlines', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    for (const given of [pem, pem.replace(/\n/g, '\\n')]) {
      const config = loadConfig({ LICENSING_SIGNING_KEY: given })
      expect(E.isRight(config) && config.right.signingKey).toBe(given.trim())
    }
  })
  it('refuses a signing key that is not an Ed25519 private key, naming the variable', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    for (const bad of ['not a key', rsa]) {
      const config = loadConfig({ LICENSING_SIGNING_KEY: bad })
      expect(E.isLeft(config) && config.left.join()).toMatch(/^LICENSING_SIGNING_KEY must be an Ed25519 private key/)
    }
  })
  it('reads SEAT_SWEEP_INTERVAL_MS (default 30 s) and documents both settings', () => {
    expect(E.isRight(loadConfig({})) && loadConfig({})).toMatchObject({ right: { seatSweepIntervalMs: 30_000, signingKey: null } })
    expect(loadConfig({ SEAT_SWEEP_INTERVAL_MS: '0' })).toMatchObject({ right: { seatSweepIntervalMs: 0 } })
    expect(E.isLeft(loadConfig({ SEAT_SWEEP_INTERVAL_MS: 'soon' }))).toBe(true)
    expect(SETTINGS.map((s) => s.name)).toEqual(expect.arrayContaining(['LICENSING_SIGNING_KEY', 'SEAT_SWEEP_INTERVAL_MS']))
  })
})
