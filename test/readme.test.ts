// The README stays true: its two commands, its configuration table, and its
// walkthrough, every shell block of which this test runs in order, in one
// shell, against a real server (and a real webhook receiver).
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config.js'
import { client, startTestServer } from './support/server.js'
import { startReceiver } from './support/webhook-receiver.js'
import { makeTempDir } from './support/tmp.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** Every ```sh block of the walkthrough: from its heading to the history section, across the API sections between. */
const walkthroughBlocks = (): string[] => {
  const walkthrough = readme.slice(readme.indexOf('## Walkthrough'), readme.indexOf('## History and audit'))
  return [...walkthrough.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!)
}

const MARKER = '@@walkthrough block '

describe('README', () => {
  it('states the command that runs the server and the one that runs the tests', () => {
    expect(readme).toContain('npm install && npm start')
    expect(readme).toContain('npm test')
  })

  it('documents every setting in its configuration table', () => {
    for (const setting of SETTINGS) expect(readme, setting.name).toMatch(new RegExp(`\\| \`${setting.name}\` \\|`))
  })

  it('walkthrough: every shell block, from the first steps to webhooks, runs in order against a real server, as written', async () => {
    // The walkthrough is written for curl and jq; without them say so, rather than fail somewhere in a block.
    for (const tool of ['curl', 'jq']) {
      await promisify(execFile)(tool, ['--version']).catch(() => {
        throw new Error(`the README walkthrough needs ${tool} (e.g. apt-get install ${tool})`)
      })
    }
    const blocks = walkthroughBlocks()
    // The first steps, API keys, seats, activations, meters, seed 004, its products, and webhooks.
    expect(blocks).toHaveLength(8)
    const work = makeTempDir('walkthrough')
    const dataDir = join(work.path, 'data')
    mkdirSync(dataDir)
    const receiver = await startReceiver()
    const server = await startTestServer({ dir: { ...work, path: dataDir }, config: { adminToken: null } })
    try {
      // One shell, so each block uses what the ones before it set; a marker before each block splits the output.
      const script = blocks.map((block, index) => `echo '${MARKER}${index}'\n${block}`).join('\n')
      // Asynchronously: the server answering these requests runs in this very process.
      const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: work.path,
        env: { ...process.env, BASE: server.url, HOOK_URL: `${receiver.url}/hooks/licensing` },
        encoding: 'utf8',
        timeout: 120_000,
      })
      const outputs = stdout.split(new RegExp(`^${MARKER}\\d+$`, 'm')).slice(1).map((output) => output.trim())
      expect(outputs).toHaveLength(blocks.length)
      const [first, keys, seats, activations, meters, dna, products, webhooks] = outputs.map((output) => output.split('\n'))
      const json = (line: string | undefined): any => JSON.parse(line ?? 'null')

      // The first steps: a customer, a template, an order, seed 001's update, seed 000's key change, the order by its new key.
      expect(first).toHaveLength(6)
      const [customer, template, created, updated, changed, read] = first!.map(json)
      expect(customer).toMatchObject({ id: 1, name: 'Rivers Inc' })
      expect(template).toMatchObject({ id: 1, product_id: '1' })
      expect(created).toMatchObject({ activation_key: 'II1HP-TX8EQ-R1QXZ-7LYXF', activations_allowed: '5' })
      expect(updated).toMatchObject({ activation_key: 'II1HP-TX8EQ-R1QXZ-7LYXF', activations_allowed: '10', deactivations_left: 10 })
      expect(changed).toEqual({ status: 'success', code: 200, message: 'Operation completed successfully', details: [] })
      expect(read).toMatchObject({ activation_key: 'AK654321', description: 'License order description' })

      // The API key the rest uses.
      expect(json(keys![0])).toMatchObject({ name: 'reseller', scope: { product_id: '1' }, token: expect.any(String) })

      // Seed 002: a seat granted, kept alive, the license valid, the seat given back.
      const [granted, heartbeat, valid, released] = seats!.map(json)
      expect(granted).toMatchObject({ granted: true, licenseToken: expect.any(String), activeClientCount: 1, maxClientCount: 10 })
      expect(heartbeat).toMatchObject({ active: true })
      expect(valid).toMatchObject({ success: true, code: 'VALID' })
      expect(released).toMatchObject({ activeClientCount: 0, maxClientCount: 10 })

      // Seed 003: an activation, read back.
      const [activated, activation] = activations!.map(json)
      expect(activated).toEqual({ activationToken: expect.stringMatching(/^eyJ/) })
      expect(activation).toMatchObject({ os: 'linux', hostname: 'build-01', metadata: [{ key: 'desk', value: '4' }] })

      // Meter attributes: defined, 3 uses counted on the activation, read back.
      const [defined, counted, uses] = meters!.map(json)
      expect(defined).toEqual([{ name: 'exports', allowed_uses: 100, uses: 0 }])
      expect(counted).toEqual({ activationToken: expect.stringMatching(/^eyJ/) })
      expect(uses).toEqual([{ name: 'exports', allowed_uses: 100, uses: 3 }])

      // Seed 004: the e-mail changed.
      expect(dna![0]).toMatch(/^HTTP\/1\.1 204 No Content/)
      expect((await client(server).get(`/license-orders/AK654321?asOf=${server.clock.now().toISOString()}`, { token: server.running.adminToken })).body).toMatchObject({ as_of: { email: 'new.owner@example.com' } })

      // Seed 004's product settings: set, and read back.
      const [set, product] = products!.map(json)
      expect(set).toMatchObject({ product_id: '1', status: 'test', license_data_enabled: true })
      expect(product).toEqual(set)

      // Webhooks: registered, the license changed, its delivery listed, and received by the endpoint's URL.
      const [hook, serial, deliveries] = webhooks!.map(json)
      expect(hook).toMatchObject({ url: `${receiver.url}/hooks/licensing`, events: ['license-order.created', 'license-order.updated'], secret: expect.stringMatching(/^whsec_/) })
      expect(serial).toMatchObject({ status: 'success' })
      expect(deliveries).toMatchObject({ items: [{ event: 'license-order.updated', status: expect.stringMatching(/^(pending|delivered)$/) }] })
      const [delivery] = await receiver.received(1, '/hooks/licensing', 30_000)
      expect(delivery!.json).toMatchObject({ event: 'license-order.updated', data: { activation_key: 'AK654321' } })
    } finally {
      await server.stop()
      await receiver.close()
      work.remove()
    }
  }, 180_000)
})
