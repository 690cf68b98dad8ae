// Seed 004's settings as the environment gives them: defaults, and a bad
// value refused with a message naming the variable (never an SMTP password).
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { loadConfig, SETTINGS } from '../src/config.js'

describe('configuration of seed 004', () => {
  it('has defaults for the lockout, the rate limit and the mail', () => {
    const config = loadConfig({})
    expect(E.isRight(config) && config.right).toMatchObject({
      lockout: { maxAttempts: 10, windowSeconds: 600, cooldownSeconds: 900 },
      rateLimitPerMinute: 300,
      smtpUrl: null,
      mailFrom: 'Licensing <no-reply@localhost>',
      mailerEnabled: true,
    })
  })

  it('reads every setting from the environment', () => {
    const config = loadConfig({
      LOCKOUT_MAX_ATTEMPTS: '3',
      LOCKOUT_WINDOW_SECONDS: '60',
      LOCKOUT_COOLDOWN_SECONDS: '300',
      RATE_LIMIT_PER_MINUTE: '20',
      SMTP_URL: 'smtps://user:secret@mail.example.com:465',
      MAIL_FROM: 'support@vendor.example',
      MAILER_ENABLED: 'false',
    })
    expect(E.isRight(config) && config.right).toMatchObject({
      lockout: { maxAttempts: 3, windowSeconds: 60, cooldownSeconds: 300 },
      rateLimitPerMinute: 20,
      smtpUrl: 'smtps://user:secret@mail.example.com:465',
      mailFrom: 'support@vendor.example',
      mailerEnabled: false,
    })
  })

  it('refuses bad values, naming each variable and never echoing the SMTP URL', () => {
    const config = loadConfig({ LOCKOUT_MAX_ATTEMPTS: '0', RATE_LIMIT_PER_MINUTE: 'lots', SMTP_URL: 'http://user:secret@x', MAIL_FROM: 'nobody', MAILER_ENABLED: 'maybe' })
    expect(E.isLeft(config) && config.left).toEqual([
      'LOCKOUT_MAX_ATTEMPTS must be an integer from 1 to 1000 (got "0")',
      'RATE_LIMIT_PER_MINUTE must be an integer from 1 to 1000000 (got "lots")',
      'SMTP_URL must be an smtp:// or smtps:// URL',
      'MAIL_FROM must be an e-mail address, optionally with a name (got "nobody")',
      'MAILER_ENABLED must be true or false (got "maybe")',
    ])
  })

  it('documents each of them', () => {
    const names = SETTINGS.map((s) => s.name)
    for (const name of ['LOCKOUT_MAX_ATTEMPTS', 'LOCKOUT_WINDOW_SECONDS', 'LOCKOUT_COOLDOWN_SECONDS', 'RATE_LIMIT_PER_MINUTE', 'SMTP_URL', 'MAIL_FROM', 'MAILER_ENABLED']) {
      expect(names).toContain(name)
    }
  })
})
