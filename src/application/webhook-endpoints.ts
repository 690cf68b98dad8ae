// Webhook endpoints: registered, changed and deleted through their own
// stream. The signing secret is the client's, or generated here and shown
// once; either way it is sealed before it reaches the log.
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/Either'
import { pipe } from 'fp-ts/function'
import type * as RNEA from 'fp-ts/ReadonlyNonEmptyArray'
import { v4 as uuid } from 'uuid'
import {
  webhookEndpointStream,
  type ExistingWebhookEndpoint,
  type Registration,
  type WebhookEndpointCommand,
  type WebhookEndpointError,
} from '../domain/webhook-endpoint/index.js'
import { WebhookEndpointAggregate } from './aggregates.js'
import type { ConcurrencyConflict } from './command-handler.js'
import type { CommandMeta } from './metadata.js'
import type { SecretBox } from './secret-box.js'
import type { Session } from './session.js'

export type WebhookEndpointFailure = WebhookEndpointError | ConcurrencyConflict

export interface RegisteredEndpoint {
  readonly endpoint: ExistingWebhookEndpoint
  /** The secret generated for the endpoint, to be shown once; null when the client chose its own. */
  readonly generatedSecret: string | null
}

export const generateWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

export interface WebhookEndpointsOptions {
  readonly secretBox: SecretBox
  readonly newId?: () => string
  readonly newSecret?: () => string
}

export const createWebhookEndpoints = ({ secretBox, newId = uuid, newSecret = generateWebhookSecret }: WebhookEndpointsOptions) => {
  /** A decision that succeeded leaves an endpoint behind. */
  const decide = async (
    session: Session,
    commands: RNEA.ReadonlyNonEmptyArray<WebhookEndpointCommand>,
    meta: CommandMeta,
  ): Promise<E.Either<WebhookEndpointFailure, ExistingWebhookEndpoint>> =>
    pipe(
      await session.handle(WebhookEndpointAggregate, commands, {}, meta),
      E.map(({ state }) => state as ExistingWebhookEndpoint),
    )

  const register = async (session: Session, { settings, secret }: Registration, meta: CommandMeta): Promise<E.Either<WebhookEndpointFailure, RegisteredEndpoint>> => {
    const endpointId = newId()
    const generatedSecret = secret === null ? newSecret() : null
    const sealed = secretBox.seal(secret ?? generatedSecret!, endpointId)
    return pipe(
      await decide(session, [{ type: 'RegisterWebhookEndpoint', endpointId, settings, secret: sealed }], meta),
      E.map((endpoint) => ({ endpoint, generatedSecret })),
    )
  }

  /** New settings and, when given, a new secret: one change of the endpoint. */
  const change = (session: Session, endpointId: string, { settings, secret }: Registration, meta: CommandMeta): Promise<E.Either<WebhookEndpointFailure, ExistingWebhookEndpoint>> =>
    decide(
      session,
      [
        { type: 'ChangeWebhookEndpoint', endpointId, settings },
        ...(secret === null ? [] : [{ type: 'ChangeWebhookSecret' as const, endpointId, secret: secretBox.seal(secret, endpointId) }]),
      ],
      meta,
    )

  const remove = (session: Session, endpointId: string, meta: CommandMeta): Promise<E.Either<WebhookEndpointFailure, ExistingWebhookEndpoint>> =>
    decide(session, [{ type: 'DeleteWebhookEndpoint', endpointId }], meta)

  /** The endpoint as its stream has it now; null when it does not exist or was deleted. */
  const get = async (session: Session, endpointId: string): Promise<ExistingWebhookEndpoint | null> => {
    const { state } = await session.load(WebhookEndpointAggregate, webhookEndpointStream(endpointId))
    return state.exists && state.deletedAt === null ? state : null
  }

  return { register, change, remove, get }
}
export type WebhookEndpoints = ReturnType<typeof createWebhookEndpoints>
