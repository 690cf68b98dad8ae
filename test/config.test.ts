import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import { DEFAULT_WEBHOOK_CONFIG, loadConfig } from '../src/config.js'

describe('configuration from the environment', () => {
  it('given nothing, then the defaults', () => {
    expect(loadConfig({})).toEqual(
      E.right({
        port: 3000,
        host: '0.0.0.0',
        dataDir: './data',
        adminToken: null,
        eventStoreConnectionString: null,
        logLevel: 'info',
        trustProxy: false,
        shutdownTimeoutMs: 10_000,
        webhooks: DEFAULT_WEBHOOK_CONFIG,
      }),
    )
  })

  it('given every setting, then each is read', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      LICENSING_DATA_DIR: '/var/lib/licensing',
      LICENSING_ADMIN_TOKEN: 'a-very-long-admin-token',
      EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false',
      LOG_LEVEL: 'debug',
      TRUST_PROXY: '1',
      SHUTDOWN_TIMEOUT_MS: '2500',
    })
    expect(config).toEqual(
      E.right({
        port: 8080,
        host: '127.0.0.1',
        dataDir: '/var/lib/licensing',
        adminToken: 'a-very-long-admin-token',
        eventStoreConnectionString: 'esdb://localhost:2113?tls=false',
        logLevel: 'debug',
        trustProxy: 1,
        shutdownTimeoutMs: 2500,
        webhooks: DEFAULT_WEBHOOK_CONFIG,
      }),
    )
  })

  it('given bad values, then every problem is named and the start stops', () => {
    expect(
      loadConfig({ PORT: 'eighty', LICENSING_ADMIN_TOKEN: 'short', EVENTSTORE_CONNECTION_STRING: 'http://x', LOG_LEVEL: 'loud' }),
    ).toEqual(
      E.left([
        'PORT must be an integer from 0 to 65535 (got "eighty")',
        'LICENSING_ADMIN_TOKEN must have at least 16 characters',
        'EVENTSTORE_CONNECTION_STRING must be an esdb:// or esdb+discover:// connection string',
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      ]),
    )
  })
})
