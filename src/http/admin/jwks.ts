// GET /.well-known/jwks.json: the public keys license tokens are signed with
// (Ed25519, kid = the key's RFC 7638 thumbprint), so clients can verify a
// licenseToken or an activationToken offline. Public: no credential needed;
// in the admin API's dialect, like everything the engine speaks of its own.
import { Router } from 'express'
import type { HttpDeps } from '../deps.js'
import { endpoint } from '../endpoint.js'
import { adminDialect } from './dialect.js'
import { reply } from '../reply.js'

export const createWellKnownRouter = ({ services }: HttpDeps): Router => {
  const router = Router()
  router.get(
    '/.well-known/jwks.json',
    endpoint(adminDialect, services.session, async () => reply(200, services.usage.jwks(), { 'Cache-Control': 'public, max-age=300' })),
  )
  return router
}
