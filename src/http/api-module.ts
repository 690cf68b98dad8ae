// One API the engine speaks: its router, its dialect, the paths it owns (so an
// unknown path or a wrong method under them is answered in its envelope) and
// its part of the OpenAPI description.
import type { Router } from 'express'
import type { HttpDeps } from './deps.js'
import type { DialectErrors } from './openapi-finish.js'
import type { Dialect } from './reply.js'

export type OpenApiOperation = Readonly<Record<string, unknown>>
/** OpenAPI paths: `/license-orders/{activation_key}` -> method -> operation. */
export type OpenApiPaths = Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>

export interface ApiModule {
  readonly name: string
  readonly dialect: Dialect
  readonly owns: (path: string) => boolean
  readonly router: (deps: HttpDeps) => Router
  readonly openapi: {
    readonly paths: OpenApiPaths
    readonly schemas?: Readonly<Record<string, unknown>>
    readonly tags?: readonly { readonly name: string; readonly description: string }[]
    /** Requests the engine sends (OpenAPI 3.1 `webhooks`): name -> method -> operation. */
    readonly webhooks?: OpenApiPaths
    /** The API's error envelope: every operation documents 500 and 503 in it (openapi-finish.ts). */
    readonly errors?: DialectErrors
  }
}
