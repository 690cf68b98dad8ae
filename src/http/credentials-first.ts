// Credentials before the body: seeds 000 and 001's services (and most
// vendors' stacks) authenticate a request before they read its body, so a bad
// token with a malformed body is a 401/403, not a 400. This runs before the
// JSON body parser and hands the principal on to the endpoint (call.ts), so
// the credential is checked once.
import * as E from 'fp-ts/Either'
import type { Request, RequestHandler, Response } from 'express'
import type { Principal } from '../application/credentials.js'
import type { Failure } from '../application/failures.js'
import { logRefusal } from './credentials.js'
import type { HttpDeps } from './deps.js'
import { send, type Reply } from './reply.js'

const PRINCIPAL = 'authenticatedPrincipal'

export interface CredentialsFirstOptions {
  readonly credential: (req: Request) => string | null
  readonly failure: (failure: Failure) => Reply
}

export const credentialsFirst =
  ({ services }: Pick<HttpDeps, 'services'>, { credential, failure }: CredentialsFirstOptions): RequestHandler =>
  (req, res, next) => {
    services.credentials.authenticate(services.session(), credential(req)).then((principal) => {
      if (E.isLeft(principal)) {
        logRefusal(req, principal.left)
        return send(res, failure(principal.left))
      }
      res.locals[PRINCIPAL] = principal.right
      next()
    }, next)
  }

/** The principal credentialsFirst authenticated for this request, if it ran. */
export const authenticatedBefore = (res: Response): Principal | undefined => res.locals[PRINCIPAL] as Principal | undefined
