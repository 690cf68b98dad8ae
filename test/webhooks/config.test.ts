// The webhook settings as read from the environment.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { DEFAULT_WEBHOOK_CONFIG, loadConfig, SETTINGS } from '../../src/config.js'

describe('webhook configuration', () => {
  it('given nothing, then the defaults and a generated key', () => {
    const config = loadConfig({})
    expect(E.isRight(config) && config.right.webhooks).toEqual(DEFAULT_WEBHOOK_CONFIG)
  })
  it('given values, then they are used', () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    const previous = [Buffer.alloc(32, 6).toString('base64'), Buffer.alloc(32, 5).toString('hex')]
    const config = loadConfig({
      LICENSING_WEBHOOK_SECRET_KEY: key,
      LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS: ` ${previous[0]},\n ${previous[1]} `,
      WEBHOOK_RETRY_BASE_MS: '10',
      WEBHOOK_RETRY_CAP_MS: '100',
      WEBHOOK_MAX_ATTEMPTS: '4',
      WEBHOOK_TIMEOUT_MS: '250',
      WEBHOOK_POLL_INTERVAL_MS: '5',
      WEBHOOKS_ENABLED: 'false',
    })
    expect(E.isRight(config) && config.right.webhooks).toEqual({
      enabled: false,
      secretKey: key,
      previousSecretKeys: previous,
      retryBaseMs: 10,
      retryCapMs: 100,
      maxAttempts: 4,
      timeoutMs: 250,
      pollIntervalMs: 5,
    })
  })
  it('given bad values, then each problem names its variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64')
    expect(
      loadConfig({ LICENSING_WEBHOOK_SECRET_KEY: 'too-short', LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS: `${key} short`, WEBHOOK_MAX_ATTEMPTS: '0', WEBHOOK_RETRY_BASE_MS: 'soon' }),
    ).toEqual(
      E.left([
        'LICENSING_WEBHOOK_SECRET_KEY must be a 32-byte key written as base64 or hex (e.g. `openssl rand -base64 32`)',
        'LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS must be 32-byte keys written as base64 or hex, separated by commas or spaces',
        'WEBHOOK_RETRY_BASE_MS must be an integer from 1 to 86400000 (got "soon")',
        'WEBHOOK_MAX_ATTEMPTS must be an integer from 1 to 1000 (got "0")',
      ]),
    )
  })
  it('documents every webhook setting', () => {
    const names = SETTINGS.map((s) => s.name)
    for (const name of ['WEBHOOKS_ENABLED', 'LICENSING_WEBHOOK_SECRET_KEY', 'LICENSING_WEBHOOK_PREVIOUS_SECRET_KEYS', 'WEBHOOK_RETRY_BASE_MS', 'WEBHOOK_RETRY_CAP_MS', 'WEBHOOK_MAX_ATTEMPTS', 'WEBHOOK_TIMEOUT_MS', 'WEBHOOK_POLL_INTERVAL_MS']) {
      expect(names).toContain(name)
    }
  })
})
