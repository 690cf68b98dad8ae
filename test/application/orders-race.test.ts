// Two processes over one log: each has its own command handler, cache and
// in-process locks (here: two services over two connections to one SQLite
// file), so only optimistic concurrency keeps an activation key unique.
import * as E from 'fp-ts/Either'
import { describe, expect, it } from 'vitest'
import type { Principal } from '../../src/application/credentials.js'
import type { CommandMeta } from '../../src/application/metadata.js'
import { createServices } from '../../src/application/services.js'
import type { ActivationKey } from '../../src/domain/activation-key/key.js'
import { createSqliteEventStore } from '../../src/store/sqlite.js'
import { profileNamed, seedTerms } from '../domain/fixtures.js'
import { makeTempDir } from '../support/tmp.js'

const meta: CommandMeta = { actor: 'test', correlationId: 'c', causationId: null, requestId: null, clientIp: null, idempotencyKey: null }
const admin: Principal = { credentialId: 'test', scope: { kind: 'admin' } }

describe('activation keys across two processes', () => {
  it('concurrent creates from both sides with one key: exactly one order gets it', async () => {
    const dir = makeTempDir('two-processes')
    const file = dir.file('events.sqlite')
    const stores = [createSqliteEventStore({ path: file }), createSqliteEventStore({ path: file })]
    const [a, b] = stores.map((store) => createServices({ store, clock: () => new Date(), adminToken: null }))
    try {
      const customer = await a!.customers.create(a!.session(), { type: 'CreateCustomer', profile: profileNamed('Rivers Inc') }, meta)
      const template = await a!.productTemplates.create(a!.session(), { type: 'CreateProductTemplate', name: 'Trial', productId: '1' }, meta)
      expect(E.isRight(customer) && E.isRight(template)).toBe(true)

      const key = 'SHARED-KEY' as ActivationKey
      const attempts = await Promise.all(
        Array.from({ length: 30 }, (_, i) => {
          const side = i % 2 === 0 ? a! : b!
          return side.orders.create(side.session(), admin, { terms: seedTerms, activationKey: key }, meta)
        }),
      )
      const won = attempts.filter(E.isRight)
      expect(won).toHaveLength(1)
      expect(attempts.filter((r) => E.isLeft(r) && r.left._tag === 'ActivationKeyTaken')).toHaveLength(29)
      // Both sides agree on who holds it.
      const holder = E.isRight(won[0]!) ? won[0]!.right.orderId : null
      expect((await a!.orders.findByKey(a!.session(), key))?.orderId).toBe(holder)
      expect((await b!.orders.findByKey(b!.session(), key))?.orderId).toBe(holder)
    } finally {
      for (const store of stores) await store.close()
      dir.remove()
    }
  })
})
