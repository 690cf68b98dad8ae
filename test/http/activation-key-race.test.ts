// Activation keys are unique across all orders, also when requests race:
// many requests for one new key give exactly one success and clear conflicts.
import { beforeAll, describe, expect, it } from 'vitest'
import { createCustomer, createTemplate, seedOrder } from '../support/fixtures.js'
import { useEngine } from '../support/engine.js'
import { client } from '../support/server.js'

describe('racing for one activation key over HTTP', () => {
  const server = useEngine()
  const api = client(server)
  let templateId: number

  beforeAll(async () => {
    templateId = await createTemplate(api)
  })

  it('40 concurrent creates with the same key: one 201, 39 conflicts', async () => {
    const customerId = await createCustomer(api)
    const replies = await Promise.all(
      Array.from({ length: 40 }, () => api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: 'RACE-KEY-1' })),
    )
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1)
    const conflicts = replies.filter((r) => r.status === 409)
    expect(conflicts).toHaveLength(39)
    expect(conflicts[0]!.body).toEqual({ detail: 'activation key RACE-KEY-1 is already in use by another license order' })
    expect((await api.get('/license-orders/RACE-KEY-1')).status).toBe(200)
  })

  it('20 clients changing their license to the same new key at once: exactly one gets it', async () => {
    const clients: number[] = []
    for (let i = 0; i < 20; i += 1) {
      const customerId = await createCustomer(api, { name: `Client ${i}` })
      await api.post('/license-orders', { ...seedOrder(customerId, templateId), activation_key: `OWN-KEY-${i}` })
      clients.push(customerId)
    }
    const replies = await Promise.all(clients.map((id) => api.patch(`/api/v2/clients/${id}/license`, { activationKey: 'RACE-KEY-2' })))
    expect(replies.filter((r) => r.status === 200)).toHaveLength(1)
    // Seed 000 answers a key another license holds as invalid input (400), its details saying so.
    expect(replies.filter((r) => r.status === 400 && /already in use by another license/.test(String(r.body.details)))).toHaveLength(19)
    // The losers keep their own keys; the winner's old key is free again.
    const winner = clients[replies.findIndex((r) => r.status === 200)]!
    for (const [i, id] of clients.entries()) {
      expect((await api.get(`/license-orders/OWN-KEY-${i}`)).status).toBe(id === winner ? 404 : 200)
    }
  })
})
