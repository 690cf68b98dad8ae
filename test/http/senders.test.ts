// One sender at a time (issue 10): three engine processes on one log, all of
// which may deliver webhooks and send e-mail notices, to a real webhook
// receiver and a real SMTP server on loopback. Writes spread over the nodes
// are delivered and mailed once each; when the leader is killed, another node
// takes over within a lease and everything made before and after arrives,
// twice only what was in flight at the kill; a node started late on the log
// sends nothing of the history, even once it leads.
import { copyFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeRecorded } from '../../src/application/event-codec.js'
import { licensesUpdate } from '../support/dna.js'
import { useEngines } from '../support/engine.js'
import { eventually } from '../support/eventually.js'
import { createOrder, issueKey, seedOrder, setUpLicense } from '../support/fixtures.js'
import { sharedSecrets, type Node, type Nodes } from '../support/nodes.js'
import type { EngineProcess } from '../support/process.js'
import { client } from '../support/server.js'
import { headerOf, startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '../support/smtp.js'
import { startReceiver, type ReceivedRequest, type Receiver } from '../support/webhook-receiver.js'

const LEASE_MS = 1_500
const PRODUCT = 'P2001'
const KEY = 'SENDERS-1'
const PATH = '/orders'

/** How many times each id arrived. */
const countsOf = (ids: readonly string[]): Map<string, number> => {
  const counts = new Map<string, number>()
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1)
  return counts
}
const webhookIds = (requests: readonly ReceivedRequest[]): string[] => requests.map((request) => String(request.headers['webhook-id']))
const mailIds = (mails: readonly ReceivedMail[]): string[] => mails.map((mail) => headerOf(mail.raw, 'Message-ID') ?? '')
const keyOf = (request: ReceivedRequest): string => request.json.data.activation_key as string

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('one sender at a time, over three engine processes on one log', () => {
  const engines = useEngines()
  let receiver: Receiver
  let smtp: SmtpReceiver
  const receivers: { close: () => Promise<void> }[] = []

  /** Three nodes, and a webhook receiver and a mail server of the test's own. */
  const startReceivers = async (): Promise<Record<string, string>> => {
    receiver = await startReceiver()
    smtp = await startSmtpReceiver()
    receivers.push(receiver, smtp)
    return { LEADER_LEASE_MS: String(LEASE_MS), SMTP_URL: smtp.url, WEBHOOK_RETRY_BASE_MS: '200', WEBHOOK_RETRY_CAP_MS: '1000', TRUST_PROXY: 'true' }
  }
  const startCluster = async (): Promise<Nodes> => engines.nodes(3, { env: await startReceivers() })
  const nodeOf = (process: EngineProcess, dataDir: string): Node => ({ url: process.url, api: client(process), dataDir, process })

  /** The roles a node says it leads. */
  const leadsOf = async (node: Node): Promise<string[]> => (await node.api.get('/healthz', { token: null })).body.checks.leadership.leads as string[]

  /** The one node (of `nodes`) leading `role`, once exactly one does. */
  const leaderOf = (nodes: readonly Node[], role: string, timeoutMs = 10_000): Promise<Node> =>
    eventually(async () => {
      const leads = await Promise.all(nodes.map(leadsOf))
      const leaders = nodes.filter((_, index) => leads[index]!.includes(role))
      return leaders.length === 1 ? leaders[0] : undefined
    }, timeoutMs, `one leader of ${role}`)

  /** An endpoint for created orders, a license whose e-mail changes send notices, and the key to change it with. */
  const setUp = async (node: Node) => {
    const endpoint = await node.api.post('/webhooks', { url: `${receiver.url}${PATH}`, events: ['license-order.created'] })
    expect(endpoint.status, endpoint.text).toBe(201)
    const { customerId, templateId } = await setUpLicense(node.api, KEY, PRODUCT)
    const key = await issueKey(node.api, 'admin')
    return {
      endpointId: endpoint.body.id as string,
      /** A new license order made on `at`: one webhook delivery; its activation key. */
      order: (at: Node): Promise<string> => createOrder(at.api, seedOrder(customerId, templateId)),
      /** The license's e-mail changed on `at`: a notice to the old address (from the second change on) and one to the new. */
      email: async (at: Node, to: string): Promise<void> => {
        const changed = await licensesUpdate(at.api, { clientId: key.id, apiKey: key.token })(PRODUCT, KEY, { NewEmail: to, UserIp: '203.0.113.9' })
        expect(changed.status, changed.text).toBe(204)
      },
    }
  }

  it('delivers each webhook and sends each notice once, whichever node the writes reach', async () => {
    const cluster = await startCluster()
    const { nodes } = cluster
    const leader = await leaderOf(nodes, 'webhooks')
    await leaderOf(nodes, 'mail')
    await leaderOf(nodes, 'seat-sweeper')
    const { endpointId, order, email } = await setUp(nodes[0]!)

    const keys = [KEY]
    for (let i = 0; i < 9; i += 1) keys.push(await order(nodes[i % 3]!))
    for (let i = 0; i < 3; i += 1) await email(nodes[i % 3]!, `owner-${i}@example.com`)
    // 1 notice for the first change (there was no address before), 2 for each after it.
    const mails = 5

    await receiver.received(keys.length, PATH, 20_000)
    await eventually(() => (smtp.received.length >= mails ? true : undefined), 20_000, 'the notices')
    // Given time to send anything twice (another lease), nothing more arrives.
    await pause(LEASE_MS * 2)
    expect(receiver.at(PATH).map(keyOf).sort()).toEqual([...keys].sort())
    expect([...countsOf(webhookIds(receiver.at(PATH))).values()]).toEqual(keys.map(() => 1))
    expect(smtp.received).toHaveLength(mails)
    expect(new Set(mailIds(smtp.received)).size).toBe(mails)

    // The leader recorded each delivery in the log, and every node's deliveries list shows it delivered.
    const recorded = await cluster.readLog(async (store) =>
      (await store.readAll({ maxCount: 100_000 })).map((event) => decodeRecorded(event).event).filter((event) => event.type === 'WebhookDeliveryAttempted'),
    )
    expect(recorded).toHaveLength(keys.length)
    for (const node of nodes) {
      await eventually(async () => {
        const items = (await node.api.get(`/webhooks/${endpointId}/deliveries?status=delivered&limit=100`)).body.items as unknown[]
        return items.length === keys.length ? true : undefined
      }, 10_000, `the deliveries list of ${node === leader ? 'the leader' : 'another node'}`)
    }
  }, 90_000)

  it('lets another node take over within a lease when the leader is killed: everything arrives, twice only what was in flight', async () => {
    const cluster = await startCluster()
    const { nodes } = cluster
    const { order, email } = await setUp(nodes[0]!)
    const before = [KEY, await order(nodes[1]!), await order(nodes[2]!)]
    await email(nodes[1]!, 'before@example.com')
    await receiver.received(before.length, PATH, 20_000)
    await eventually(() => (smtp.received.length >= 1 ? true : undefined), 20_000, 'the first notice')
    // Recorded in the log, too: from here on, only what comes next can be in flight.
    await eventually(
      () =>
        cluster.readLog(async (store) => {
          const types = (await store.readAll({ maxCount: 100_000 })).map((event) => event.type)
          return types.filter((type) => type === 'WebhookDeliveryAttempted').length >= before.length && types.includes('EmailNoticeSent') ? true : undefined
        }),
      10_000,
      'the first deliveries and notice recorded',
    )

    // Writes, then at once the leaders of webhooks and mail are killed (SIGKILL): these may be in flight.
    const leaders = new Set([await leaderOf(nodes, 'webhooks'), await leaderOf(nodes, 'mail')])
    const survivors = nodes.filter((node) => !leaders.has(node))
    const writer = survivors[0]!
    const inFlight = [await order(writer), await order(writer)]
    await email(writer, 'in-flight@example.com')
    for (const node of leaders) await node.process.kill()
    const killedAt = Date.now()

    const after = [await order(writer), await order(writer)]
    await email(writer, 'after@example.com')
    await leaderOf(survivors, 'webhooks', LEASE_MS * 4)
    const takeoverMs = Date.now() - killedAt
    await leaderOf(survivors, 'mail', LEASE_MS * 4)
    // Within a lease, and the time to notice: a survivor claims the moment the dead leader's lease lapses.
    expect(takeoverMs).toBeLessThan(LEASE_MS * 3)

    const keys = [...before, ...inFlight, ...after]
    await eventually(() => (new Set(receiver.at(PATH).map(keyOf)).size >= keys.length ? true : undefined), 20_000, 'every delivery')
    await eventually(() => (new Set(mailIds(smtp.received)).size >= 5 ? true : undefined), 20_000, 'every notice')
    await pause(LEASE_MS * 2)
    expect([...new Set(receiver.at(PATH).map(keyOf))].sort()).toEqual([...keys].sort())
    // Only a delivery the dead leader sent but had not recorded yet may arrive twice (the receiver de-duplicates on its id).
    const twice = receiver.at(PATH).filter((request) => countsOf(webhookIds(receiver.at(PATH))).get(String(request.headers['webhook-id']))! > 1)
    expect(twice.filter((request) => !inFlight.includes(keyOf(request)))).toEqual([])
    expect(new Set(webhookIds(receiver.at(PATH))).size).toBe(keys.length)

    const addressed = smtp.received.map((mail) => mail.to.join(','))
    expect([...new Set(addressed)].sort()).toEqual(['before@example.com', 'in-flight@example.com', 'after@example.com'].sort())
    const mailCounts = countsOf(mailIds(smtp.received))
    const mailedTwice = smtp.received.filter((mail) => mailCounts.get(headerOf(mail.raw, 'Message-ID') ?? '')! > 1)
    // The in-flight change's two notices go to before@ (the old address) and in-flight@ (the new one).
    expect(mailedTwice.filter((mail) => !['before@example.com', 'in-flight@example.com'].includes(mail.to.join(',')))).toEqual([])
    expect(mailCounts.size).toBe(5)
  }, 90_000)

  it('sends nothing of the history from a node started late, even once it leads; then it sends what is new', async () => {
    const cluster = await startCluster()
    const { nodes } = cluster
    const { endpointId, order, email } = await setUp(nodes[0]!)
    const keys = [KEY, await order(nodes[1]!), await order(nodes[2]!)]
    await email(nodes[0]!, 'first@example.com')
    await email(nodes[1]!, 'second@example.com')
    await receiver.received(keys.length, PATH, 20_000)
    await eventually(() => (smtp.received.length >= 3 ? true : undefined), 20_000, 'the notices')

    const late = await cluster.add()
    // Its outbox and mailer follow the whole log: every delivery it fills is marked delivered by the records.
    await eventually(async () => {
      const items = (await late.api.get(`/webhooks/${endpointId}/deliveries?status=delivered&limit=100`)).body.items as unknown[]
      return items.length === keys.length ? true : undefined
    }, 10_000, 'the late node to apply the delivery records')
    for (const node of nodes.slice(0, 3)) await node.process.kill()
    await leaderOf([late], 'webhooks', LEASE_MS * 4)
    await leaderOf([late], 'mail', LEASE_MS * 4)
    await pause(LEASE_MS)
    expect(receiver.at(PATH)).toHaveLength(keys.length)
    expect(smtp.received).toHaveLength(3)

    const next = await order(late)
    await email(late, 'third@example.com')
    await receiver.received(keys.length + 1, PATH, 20_000)
    await eventually(() => (smtp.received.length >= 5 ? true : undefined), 20_000, 'the new notices')
    await pause(LEASE_MS)
    expect(receiver.at(PATH).map(keyOf).sort()).toEqual([...keys, next].sort())
    expect(new Set(webhookIds(receiver.at(PATH))).size).toBe(keys.length + 1)
    expect(new Set(mailIds(smtp.received)).size).toBe(5)
    expect(smtp.received).toHaveLength(5)
  }, 90_000)

  it('records, once it leads, what a node sent while it was alone on its log: a node added later sends none of it', async () => {
    const env = { ...(await startReceivers()), ...sharedSecrets(), SEAT_SWEEP_INTERVAL_MS: '0' }
    const home = engines.dir('upgrade')
    const dataDir = (n: number): string => join(home.path, `node-${n}`)
    // Alone: its log in its data directory, no leases, nothing recorded of what it sends.
    const alone = nodeOf(await engines.spawn({ ...env, LICENSING_DATA_DIR: dataDir(1) }), dataDir(1))
    const { endpointId, order, email } = await setUp(alone)
    const keys = [KEY, await order(alone), await order(alone)]
    await email(alone, 'first@example.com')
    await email(alone, 'second@example.com')
    await receiver.received(keys.length, PATH, 20_000)
    await eventually(() => (smtp.received.length >= 3 ? true : undefined), 20_000, 'the notices')
    // Stopped as an operator stops it to move its log: what it sent is kept as sent (a kill could come between a
    // send and its note, and that one would be sent again, rightly).
    const exited = new Promise((resolve) => alone.process.child.once('exit', resolve))
    alone.process.child.kill('SIGTERM')
    await exited

    // The log moves out of the data directory to be shared; the node that sent starts first, and leads.
    for (const file of readdirSync(dataDir(1)).filter((name) => name === 'events.sqlite' || name === 'events.sqlite-wal')) copyFileSync(join(dataDir(1), file), home.file(file))
    const shared = { ...env, LICENSING_EVENT_LOG: home.file('events.sqlite') }
    const first = nodeOf(await engines.spawn({ ...shared, LICENSING_DATA_DIR: dataDir(1) }), dataDir(1))
    await leaderOf([first], 'webhooks')
    await leaderOf([first], 'mail')
    const added = nodeOf(await engines.spawn({ ...shared, LICENSING_DATA_DIR: dataDir(2) }), dataDir(2))
    await eventually(async () => {
      const items = (await added.api.get(`/webhooks/${endpointId}/deliveries?status=delivered&limit=100`)).body.items as unknown[]
      return items.length === keys.length ? true : undefined
    }, 10_000, 'the added node to learn from the records what was delivered')
    expect(await leadsOf(first)).toEqual(['webhooks', 'mail', 'seat-sweeper'])
    await first.process.kill()
    await leaderOf([added], 'webhooks', LEASE_MS * 4)
    await leaderOf([added], 'mail', LEASE_MS * 4)
    await pause(LEASE_MS)
    expect(receiver.at(PATH)).toHaveLength(keys.length)
    expect(smtp.received).toHaveLength(3)
  }, 90_000)

  afterAll(async () => {
    for (const one of receivers) await one.close()
  })
})
