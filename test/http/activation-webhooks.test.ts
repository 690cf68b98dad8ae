// The activation and seat webhooks over real HTTP, to a real receiver on
// loopback: activation.updated after a seed 003 PATCH, activation.created and
// activation.deleted, and seat.granted, seat.released and seat.expired from
// seed 002's floating seats; each body {event, data, triggeredAt}, signed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_WEBHOOK_CONFIG } from '../../src/config.js'
import { babelClient, clientBody, tokenId } from '../support/babel.js'
import { activationBody, cryptlexClient } from '../support/cryptlex.js'
import { createCustomer, createOrder, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'
import { startReceiver, verifies, type ReceivedRequest, type Receiver } from '../support/webhook-receiver.js'

const SECRET = 'whsec-activations-0123456789'

/** The receiver's own check, as the README describes it. */
const signed = (req: ReceivedRequest): boolean => verifies(SECRET, req)

describe('activation and seat webhooks', () => {
  const server = useEngine({ config: { webhooks: { ...DEFAULT_WEBHOOK_CONFIG, pollIntervalMs: 20, timeoutMs: 5_000 } } })
  const api = client(server)
  const cryptlex = cryptlexClient(server)
  const babel = babelClient(server)
  let receiver: Receiver
  let customerId: number
  let templateId: number

  beforeAll(async () => {
    receiver = await startReceiver()
    customerId = await createCustomer(api)
    templateId = await createTemplate(api, '1')
  })
  afterAll(async () => {
    await receiver.close()
  })

  const register = async (path: string, events: readonly string[]): Promise<void> => {
    const res = await api.post('/webhooks', { url: `${receiver.url}${path}`, events, secret: SECRET })
    expect(res.status, res.text).toBe(201)
  }
  const license = async (key: string, change: Record<string, unknown> = {}): Promise<string> => {
    await createOrder(api, { ...seedOrder(customerId, templateId), activation_key: key, ...change })
    return (await babel('info', { userKey: key })).body.licenseId as string
  }

  it('delivers activation.updated after a PATCH: {event, data, triggeredAt}, data the activation as GET shows it, signed', async () => {
    await register('/updated', ['activation.updated'])
    await license('HOOK-UPDATED')
    const activated = await cryptlex.activate(activationBody('HOOK-UPDATED', 1))
    const id = activated.headers.get('location')!.split('/').pop()!
    server.clock.advance(30_000)
    const patched = await cryptlex.update(id, { ...activationBody('HOOK-UPDATED', 1), hostname: 'renamed', metadata: [] })
    expect(patched.status, patched.text).toBe(200)

    const [request] = await receiver.received(1, '/updated')
    expect(request!.method).toBe('POST')
    expect(request!.headers['webhook-event']).toBe('activation.updated')
    expect(signed(request!)).toBe(true)
    const body = JSON.parse(request!.raw)
    expect(Object.keys(body)).toEqual(['event', 'data', 'triggeredAt'])
    expect(body).toEqual({ event: 'activation.updated', data: (await cryptlex.get(id)).body, triggeredAt: server.clock.now().toISOString() })
    expect(body.data).toMatchObject({ id, hostname: 'renamed', metadata: [], updatedAt: server.clock.now().toISOString() })
    // The activation's creation was not asked for.
    expect(receiver.at('/updated')).toHaveLength(1)
  })

  it('delivers activation.created and activation.deleted, the deleted one as it was, also for a revoked token', async () => {
    await register('/lifecycle', ['activation.created', 'activation.deleted'])
    await license('HOOK-LIFECYCLE')
    const first = await cryptlex.activate(activationBody('HOOK-LIFECYCLE', 1))
    const id = first.headers.get('location')!.split('/').pop()!
    const asCreated = (await cryptlex.get(id)).body
    server.clock.advance(1_000)
    expect((await cryptlex.deactivate(id)).status).toBe(204)
    // A seed 002 activation whose token is revoked ends too.
    const viaBabel = await babel('activate', clientBody('HOOK-LIFECYCLE', 2))
    const revokedId = tokenId(viaBabel.body.licenseToken)
    const asActivated = (await cryptlex.get(revokedId)).body
    expect((await api.delete(`/license-orders/HOOK-LIFECYCLE/tokens/${revokedId}`)).status).toBe(200)

    const requests = await receiver.received(4, '/lifecycle')
    expect(requests.every(signed)).toBe(true)
    expect(requests.map((r) => [r.json.event, r.json.data.id])).toEqual([
      ['activation.created', id],
      ['activation.deleted', id],
      ['activation.created', revokedId],
      ['activation.deleted', revokedId],
    ])
    expect(requests[0]!.json.data).toEqual(asCreated)
    expect(requests[1]!.json.data).toEqual(asCreated)
    expect(requests[1]!.json.triggeredAt).toBe(server.clock.now().toISOString())
    expect(requests[3]!.json.data).toEqual(asActivated)
  })

  it('delivers seat.granted, seat.released and seat.expired with the seat, its license and its times', async () => {
    await register('/seats', ['seat.granted', 'seat.released', 'seat.expired'])
    const orderId = await license('HOOK-SEATS')
    const grantedAt = server.clock.now()
    const first = await babel('request', clientBody('HOOK-SEATS', 1))
    expect(first.body.granted).toBe(true)
    server.clock.advance(10_000)
    expect((await babel('release', { licenseToken: first.body.licenseToken })).status).toBe(200)
    const releasedAt = server.clock.now()
    const second = await babel('request', clientBody('HOOK-SEATS', 2))
    const leaseEnd = new Date(releasedAt.getTime() + 180_000)
    // Past the lease and its grace (10 s at the defaults).
    server.clock.advance(191_000)
    expect(await server.running.seatSweeper.sweep()).toBeGreaterThanOrEqual(1)

    const requests = await receiver.received(4, '/seats')
    expect(requests.every(signed)).toBe(true)
    const seat = (n: number, id: string, granted: Date) => ({
      id,
      licenseId: orderId,
      licenseKey: 'HOOK-SEATS',
      productId: '1',
      clientId: `client-${n}`,
      clientName: `Client ${n}`,
      machineId: `machine-${n}`,
      grantedAt: granted.toISOString(),
      leaseExpiresAt: new Date(granted.getTime() + 180_000).toISOString(),
      heartbeatIntervalSeconds: 60,
    })
    expect(requests.map((r) => r.json)).toEqual([
      { event: 'seat.granted', data: { ...seat(1, tokenId(first.body.licenseToken), grantedAt), status: 'granted', releasedAt: null, expiredAt: null }, triggeredAt: grantedAt.toISOString() },
      {
        event: 'seat.released',
        data: { ...seat(1, tokenId(first.body.licenseToken), grantedAt), status: 'released', releasedAt: releasedAt.toISOString(), expiredAt: null },
        triggeredAt: releasedAt.toISOString(),
      },
      { event: 'seat.granted', data: { ...seat(2, tokenId(second.body.licenseToken), releasedAt), status: 'granted', releasedAt: null, expiredAt: null }, triggeredAt: releasedAt.toISOString() },
      {
        event: 'seat.expired',
        data: { ...seat(2, tokenId(second.body.licenseToken), releasedAt), status: 'expired', releasedAt: null, expiredAt: leaseEnd.toISOString() },
        triggeredAt: server.clock.now().toISOString(),
      },
    ])
  })
})
