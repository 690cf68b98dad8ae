// An export of the log with its chain (GET /audit/events.ndjson?chain=true)
// verifies offline with the public keys alone (`licensing verify-export`),
// and an edit of it, even with its digests and links recomputed, does not.
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { eventDigest, GENESIS_LINK, nextLink } from '../../src/chain/links.js'
import { createTokenSigner } from '../../src/application/signing.js'
import { verifyExportCommand } from '../../src/tools/verify-export.js'
import { babelClient, clientBody, createLicense } from '../support/babel.js'
import { useEngine } from '../support/engine.js'
import { createCustomer, createTemplate, issueKey } from '../support/fixtures.js'
import { client } from '../support/server.js'
import { makeTempDir } from '../support/tmp.js'

describe('the chained audit export and licensing verify-export', () => {
  const server = useEngine()
  const api = client(server)
  const babel = babelClient(server)
  const work = makeTempDir('verify-export')
  let exported: string
  let lines: Record<string, any>[]

  const verify = async (file: string, jwks: string): Promise<{ code: number; out: string }> => {
    let out = ''
    const code = await verifyExportCommand([file, '--jwks', jwks], { out: (t) => (out += t), err: (t) => (out += t) })
    return { code, out }
  }

  const writeLines = (name: string, items: readonly Record<string, unknown>[]): string => {
    const file = work.file(name)
    writeFileSync(file, items.map((item) => `${JSON.stringify(item)}\n`).join(''))
    return file
  }

  beforeAll(async () => {
    const customerId = await createCustomer(api)
    const templateId = await createTemplate(api, '1')
    const { key } = await createLicense(api, babel, customerId, templateId, 'EXPORT-1')
    await server.running.logCheckpoints.checkpoint()
    for (const n of [1, 2, 3]) await babel('request', clientBody(key, n))
    const res = await api.get('/audit/events.ndjson?chain=true')
    expect(res.status, res.text).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
    exported = work.file('export.ndjson')
    writeFileSync(exported, res.text)
    lines = res.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, any>)
  })

  it('holds every event with its digest and link, and ends with a checkpoint that signs it all', () => {
    expect(lines[0]).toMatchObject({ format: 'licensing-log-chain/1', genesis: GENESIS_LINK })
    const events = lines.filter((line) => line.event !== undefined)
    expect(events.length).toBeGreaterThan(5)
    expect(lines.filter((line) => line.checkpoint !== undefined).length).toBeGreaterThanOrEqual(2)
    expect(lines[lines.length - 1]!.checkpoint.position).toBe(events[events.length - 1]!.position)
    expect(events[0]!.event).toEqual(expect.objectContaining({ revision: 0, recorded_at: expect.any(String), metadata: expect.any(Object) }))
  })

  it('verifies offline with only the public keys, from the JWKS URL or a file', async () => {
    const byUrl = await verify(exported, `${server.url}/.well-known/jwks.json`)
    expect(byUrl.out).toMatch(/is intact: \d+ events chained up to position \d+, \d+ signed checkpoint\(s\) verified/)
    expect(byUrl.code).toBe(0)
    const jwksFile = work.file('jwks.json')
    writeFileSync(jwksFile, await (await fetch(`${server.url}/.well-known/jwks.json`)).text())
    expect((await verify(exported, jwksFile)).code).toBe(0)
  })

  it('names the position of an edited event', async () => {
    const index = lines.findIndex((line) => line.event?.type === 'SeatGranted')
    const edited = lines.map((line, i) => (i === index ? { ...line, event: { ...line.event, data: { ...line.event.data, clientName: 'Mallory' } } } : line))
    const result = await verify(writeLines('edited.ndjson', edited), `${server.url}/.well-known/jwks.json`)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${lines[index]!.position}:`)
  })

  it('fails an edit whose digests and links were recomputed, at the checkpoint after it', async () => {
    const index = lines.findIndex((line) => line.event?.type === 'SeatGranted')
    let link = GENESIS_LINK
    const forged = lines.map((line, i) => {
      if (line.event === undefined) return line
      const event = i === index ? { ...line.event, data: { ...line.event.data, clientName: 'Mallory' } } : line.event
      const digest = eventDigest({ ...event, recordedAt: event.recorded_at })
      link = nextLink(link, digest)
      return { ...line, event, digest, link }
    })
    const signedAt = forged.find((line, i) => i > index && line.checkpoint !== undefined)!.checkpoint.position
    const result = await verify(writeLines('forged.ndjson', forged), `${server.url}/.well-known/jwks.json`)
    expect(result.code).toBe(1)
    expect(result.out).toContain(`first difference at position ${signedAt}: the chain at ${signedAt} is not the signed one`)
  })

  it('fails against keys that did not sign it', async () => {
    const other = createTokenSigner(generateKeyPairSync('ed25519').privateKey)
    const jwksFile = work.file('other-jwks.json')
    writeFileSync(jwksFile, JSON.stringify(other.jwks()))
    const result = await verify(exported, jwksFile)
    expect(result.code).toBe(1)
    expect(result.out).toContain('signature does not verify')
  })

  it('refuses a file that is not a chained export', async () => {
    const plain = await api.get('/audit/events.ndjson')
    const file = work.file('plain.ndjson')
    writeFileSync(file, plain.text)
    const result = await verify(file, `${server.url}/.well-known/jwks.json`)
    expect(result.code).toBe(2)
    expect(readFileSync(exported, 'utf8').length).toBeGreaterThan(0)
  })

  it('is the whole log: an admin credential only, no filters, chain true or false', async () => {
    const scoped = await issueKey(api, { product_id: '1' })
    const refused = await api.get('/audit/events.ndjson?chain=true', { token: scoped.token })
    expect(refused.status).toBe(403)
    expect(refused.body.error.message).toContain('admin credential')
    const filtered = await api.get('/audit/events.ndjson?chain=true&type=SeatGranted')
    expect(filtered.status).toBe(400)
    expect(filtered.body.error.fields).toEqual([{ field: 'type', message: 'is not accepted with chain=true: the chained export is the whole log' }])
    const bad = await api.get('/audit/events.ndjson?chain=yes')
    expect(bad.status).toBe(400)
    expect(bad.body.error.fields).toEqual([{ field: 'chain', message: 'must be true or false' }])
  })
})
