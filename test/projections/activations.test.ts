// The index of activations to their orders: filled as machines are
// activated, and, for a read store written before it existed, from the
// orders' state when it is first opened.
import { describe, expect, it } from 'vitest'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { noActivationDetails, type OrderEvent } from '../../src/domain/order/index.js'
import { activationReader, activationsProjection } from '../../src/projections/activations.js'
import { licenseOrdersProjection } from '../../src/projections/license-orders.js'
import { applyEvents, type Envelope } from '../../src/projections/projection.js'
import { openReadStore } from '../../src/projections/read-store.js'
import { seedTerms } from '../domain/fixtures.js'
import { makeTempDir } from '../support/tmp.js'

const at = '2026-11-22T10:00:00.000Z'
const envelope = (event: OrderEvent, position: number): Envelope =>
  ({ event, metadata: {}, recorded: { position: BigInt(position), recordedAt: new Date(at) } }) as unknown as Envelope
const created = (orderId: string): OrderEvent => ({ type: 'OrderCreated', data: { orderId, activationKey: `KEY-${orderId}` as ActivationKey, terms: seedTerms, at } })
const activated = (orderId: string, activationId: string): OrderEvent => ({
  type: 'MachineActivated',
  data: { orderId, activationId, clientId: 'c', machineId: activationId, clientName: null, clientAddr: null, details: noActivationDetails, at },
})

describe('activations index', () => {
  it('indexes activations as they are made, and those already in the orders when it is new', () => {
    const dir = makeTempDir('activations-index')
    try {
      const db = openReadStore(dir.file('read.sqlite'))
      // A read store from before the index: the orders' projection alone.
      const orders = licenseOrdersProjection.open(db)
      applyEvents(orders, [envelope(created('o1'), 1)])
      applyEvents(orders, [envelope(activated('o1', 'a1'), 2)])
      const index = activationsProjection.open(db)
      const reader = activationReader(db)
      expect(reader.orderOf('a1')).toBe('o1')
      applyEvents(index, [envelope(created('o2'), 3)])
      applyEvents(index, [envelope(activated('o2', 'a2'), 4)])
      expect(reader.orderOf('a2')).toBe('o2')
      expect(reader.orderOf('a3')).toBeNull()
      // Opened again, nothing is indexed twice or lost.
      activationsProjection.open(db)
      expect([reader.orderOf('a1'), reader.orderOf('a2')]).toEqual(['o1', 'o2'])
      db.close()
    } finally {
      dir.remove()
    }
  })
})
