// The command line: help for it and every command (which never starts the
// server), and the administrative commands against a real running engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/command-line.js'
import { setUpLicense } from '../support/fixtures.js'
import { ADMIN_TOKEN, client, startTestServer, type Client, type TestServer } from '../support/server.js'

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command in this process; `stdin`: what its standard input holds (absent: nothing is read). */
const cli = async (args: readonly string[], env: Record<string, string> = {}, stdin?: string): Promise<Run> => {
  let stdout = ''
  let stderr = ''
  const input = stdin === undefined ? {} : { input: async () => stdin }
  const code = await main(args, { ...process.env, ...env }, { out: (text) => (stdout += text), err: (text) => (stderr += text), ...input })
  return { code, stdout, stderr }
}

const COMMANDS = ['serve', 'replay', 'backup', 'restore', 'api-keys', 'license'] as const

describe('licensing --help', () => {
  it('lists every command, and exits 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await cli(args)
      expect(run.code).toBe(0)
      for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command} `)
    }
  })

  it('answers <command> --help with that command’s usage and does nothing else: serve --help returns instead of serving', async () => {
    for (const command of COMMANDS) {
      // LICENSING_DATA_DIR points nowhere: a command that did its work would fail or create it.
      const run = await cli([command, '--help'], { LICENSING_DATA_DIR: '/nonexistent/licensing-help', PORT: '1' })
      expect(run, command).toMatchObject({ code: 0, stderr: '' })
      expect(run.stdout, command).toMatch(new RegExp(`^usage: licensing ${command}`))
      expect(await cli(['help', command])).toMatchObject({ code: 0, stdout: run.stdout })
    }
    expect((await cli(['serve', '--help'])).stdout).toContain('LICENSING_DATA_DIR')
  })

  it('refuses an unknown command or option with exit code 2', async () => {
    expect(await cli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command: frobnicate') })
    expect(await cli(['backup', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--bogus'") })
    expect((await cli([])).code).toBe(2)
  })
})

describe('licensing api-keys and license show, against a running engine', () => {
  let server: TestServer
  let api: Client
  let target: string[]
  /** A command that reads the admin token from its standard input (--token-stdin), as a script piping it would. */
  const admin = (args: readonly string[], env: Record<string, string> = {}) => cli(args, env, `${ADMIN_TOKEN}\n`)

  beforeAll(async () => {
    server = await startTestServer()
    api = client(server)
    target = ['--url', server.url, '--token-stdin']
    await setUpLicense(api, 'CLI-SHOW-0001')
  })
  afterAll(async () => {
    await server.stop()
    server.dir.remove()
  })

  it('creates a key (its token shown once, and working), lists it, and revokes it', async () => {
    const created = await admin(['api-keys', 'create', '--name', 'reseller', '--scope', 'product:1', ...target])
    expect(created).toMatchObject({ code: 0, stderr: '' })
    const key = JSON.parse(created.stdout) as { id: string; token: string; scope: unknown }
    expect(key.scope).toEqual({ product_id: '1' })
    expect((await api.get('/license-orders/CLI-SHOW-0001', { token: key.token })).status).toBe(200)

    const listed = await admin(['api-keys', 'list', ...target])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`^${key.id}\\s+reseller\\s+product_id:1\\s`, 'm'))
    expect(listed.stdout).not.toContain(key.token)

    expect(await admin(['api-keys', 'revoke', key.id, ...target])).toMatchObject({ code: 0, stdout: `revoked ${key.id}\n` })
    expect((await api.get('/license-orders/CLI-SHOW-0001', { token: key.token })).status).toBe(403)
    const json = JSON.parse((await admin(['api-keys', 'list', '--json', ...target])).stdout) as { items: { id: string; revoked_at: string | null }[] }
    expect(json.items.find((k) => k.id === key.id)?.revoked_at).not.toBeNull()
  })

  it('says what the engine refused, in its words, with exit code 1; a bad scope or a missing token is a usage error', async () => {
    const refused = await admin(['api-keys', 'create', '--name', 'x', '--scope', 'activation-key:NO-SUCH-KEY', ...target])
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('the engine answered 400') })
    expect(refused.stderr).toContain('scope.activation_key')
    expect((await admin(['api-keys', 'create', '--name', 'x', '--scope', 'everything', ...target])).code).toBe(2)
    const wrongToken = await cli(['api-keys', 'list', '--url', server.url, '--token-stdin'], {}, 'not-the-admin-token-at-all')
    expect(wrongToken).toMatchObject({ code: 1, stderr: expect.stringContaining('the engine answered 401') })
    expect(await cli(['api-keys', 'list', '--url', server.url], { LICENSING_ADMIN_TOKEN: '', LICENSING_DATA_DIR: '/nonexistent/licensing-cli' })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no admin token'),
    })
  })

  it('takes the admin token from LICENSING_ADMIN_TOKEN or standard input, never needing it in the arguments (visible in ps); --token still works, with a warning', async () => {
    expect(await cli(['api-keys', 'list', '--url', server.url], { LICENSING_ADMIN_TOKEN: ADMIN_TOKEN })).toMatchObject({ code: 0, stderr: '' })
    expect(await cli(['api-keys', 'list', '--url', server.url, '--token-stdin'], {}, `${ADMIN_TOKEN}\n`)).toMatchObject({ code: 0, stderr: '' })
    // Standard input wins over the environment: the caller said so.
    expect(await cli(['api-keys', 'list', '--url', server.url, '--token-stdin'], { LICENSING_ADMIN_TOKEN: 'not-the-admin-token-at-all' }, ADMIN_TOKEN)).toMatchObject({ code: 0 })
    expect(await cli(['api-keys', 'list', '--url', server.url, '--token-stdin'], {}, '\n')).toMatchObject({ code: 2, stderr: expect.stringContaining('--token-stdin: standard input held no token') })
    const flagged = await cli(['api-keys', 'list', '--url', server.url, '--token', ADMIN_TOKEN])
    expect(flagged.code).toBe(0)
    expect(flagged.stderr).toBe('warning: --token shows the admin token to anyone who can list processes (ps); use LICENSING_ADMIN_TOKEN or --token-stdin\n')
    expect(await cli(['api-keys', 'list', '--url', server.url, '--token', ADMIN_TOKEN, '--token-stdin'], {}, ADMIN_TOKEN)).toMatchObject({ code: 2, stderr: expect.stringContaining('--token or --token-stdin, not both') })
  })

  it('reads its settings as the server does (LICENSING_URL, PORT, LICENSING_ADMIN_TOKEN, LICENSING_DATA_DIR): a bad one is a configuration error', async () => {
    expect(await cli(['api-keys', 'list'], { LICENSING_URL: server.url, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN })).toMatchObject({ code: 0, stderr: '' })
    const port = new URL(server.url).port
    expect(await cli(['api-keys', 'list'], { LICENSING_URL: '', PORT: port, LICENSING_ADMIN_TOKEN: ADMIN_TOKEN })).toMatchObject({ code: 0, stderr: '' })
    expect(await cli(['api-keys', 'list'], { LICENSING_URL: '', PORT: 'eighty', LICENSING_ADMIN_TOKEN: ADMIN_TOKEN })).toMatchObject({
      code: 2,
      stderr: 'configuration error: PORT must be an integer from 0 to 65535 (got "eighty")\n',
    })
    expect(await cli(['license', 'show', 'CLI-SHOW-0001'], { LICENSING_URL: 'ftp://example.com', LICENSING_ADMIN_TOKEN: ADMIN_TOKEN })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('LICENSING_URL must be an http:// or https:// URL'),
    })
  })

  it('shows a license: its terms, its use and its history', async () => {
    expect((await api.patch('/license-orders/CLI-SHOW-0001', { ...(await api.get('/license-orders/CLI-SHOW-0001')).body, customer_id: 1, product_template_id: 1, activations_allowed: 7 })).status).toBe(200)
    const shown = await admin(['license', 'show', 'CLI-SHOW-0001', ...target])
    expect(shown).toMatchObject({ code: 0, stderr: '' })
    expect(shown.stdout).toMatch(/^license CLI-SHOW-0001 \(order /)
    expect(shown.stdout).toContain('0 of 7 allowed')
    expect(shown.stdout).toMatch(/history: \d+ event\(s\) since /)
    expect(shown.stdout).toContain('  customer:         Rivers Inc\n')
    expect(shown.stdout).toMatch(/^\s+1\s+OrderCreated$/m)
    expect(shown.stdout).toMatch(/activations_allowed changed from 10 to 7/)

    const json = JSON.parse((await admin(['license', 'show', 'CLI-SHOW-0001', '--json', ...target])).stdout) as { history: { byType: Record<string, number>; complete: boolean } }
    expect(json.history.complete).toBe(true)
    expect(json.history.byType.OrderCreated).toBe(1)

    expect(await admin(['license', 'show', 'NO-SUCH-LICENSE', ...target])).toMatchObject({ code: 1, stderr: expect.stringContaining('the engine answered 404') })
  })
})
