// The APIs this server speaks, each in its own dialect.
import { Router } from 'express'
import { createApiKeysRouter } from './admin/api-keys.js'
import { createAuditRouter } from './admin/audit.js'
import { auditOpenApi } from './admin/audit-openapi.js'
import { createCustomersRouter } from './admin/customers.js'
import { adminDialect } from './admin/dialect.js'
import { adminOpenApi } from './admin/openapi.js'
import type { ApiModule, OpenApiPaths } from './api-module.js'
import { metricsModule } from './metrics.js'
import { babelDialect, PROBLEM_JSON } from './babel/dialect.js'
import { babelOpenApi } from './babel/openapi.js'
import { createBabelRouter } from './babel/router.js'
import { productsOpenApi } from './admin/products-openapi.js'
import { cryptlexDialect } from './cryptlex/dialect.js'
import { cryptlexOpenApi } from './cryptlex/openapi.js'
import { createCryptlexRouter } from './cryptlex/router.js'
import { createProductsRouter } from './admin/products.js'
import { reportsOpenApi } from './admin/reports-openapi.js'
import { createReportsRouter } from './admin/reports.js'
import { createWhatIfRouter } from './admin/what-if.js'
import { whatIfPaths } from './admin/what-if-openapi.js'
import { dnaDialect } from './dna/dialect.js'
import { dnaOpenApi } from './dna/openapi.js'
import { createDnaRouter } from './dna/router.js'
import { lacDialect } from './lac/dialect.js'
import { lacOpenApi } from './lac/openapi.js'
import { createLacRouter } from './lac/router.js'
import { createLicenseListRouter } from './lac/list.js'
import { licenseListPaths } from './lac/list-openapi.js'
import { createMeterAdminRouter } from './lac/meters.js'
import { meterAdminPaths } from './lac/meters-openapi.js'
import { createSeatAdminRouter } from './lac/seats.js'
import { seatAdminPaths } from './lac/seats-openapi.js'
import { createDenialsRouter } from './lac/denials.js'
import { denialPaths } from './lac/denials-openapi.js'
import { rillsoftDialect } from './rillsoft/dialect.js'
import { rillsoftOpenApi } from './rillsoft/openapi.js'
import { createRillsoftRouter } from './rillsoft/router.js'
import { createConsoleRouter } from './console/router.js'
import { consoleOpenApi } from './console/openapi.js'
import { createWebhooksRouter } from './admin/webhooks.js'
import { webhooksOpenApi } from './admin/webhooks-openapi.js'
import { wellKnownOpenApi } from './admin/jwks-openapi.js'
import { createWellKnownRouter } from './admin/jwks.js'
import { json, ref, withThrottling } from './openapi-helpers.js'

/** The admin dialect's envelope, for every API of the engine's own (openapi-finish.ts documents 500 and 503 in it). */
const ADMIN_ERRORS = { schema: 'AdminError' } as const

/** Paths from several parts of one API: a path two parts share keeps the methods of both. */
const mergePaths = (...parts: readonly OpenApiPaths[]): OpenApiPaths => {
  const merged: Record<string, Readonly<Record<string, unknown>>> = {}
  for (const part of parts) for (const [path, operations] of Object.entries(part)) merged[path] = { ...merged[path], ...operations }
  return merged as OpenApiPaths
}

const under = (...prefixes: readonly string[]) => {
  // Asked on every request: the prefixes with their slash are made once.
  const folders = prefixes.map((prefix) => `${prefix}/`)
  return (path: string): boolean => {
    for (let i = 0; i < prefixes.length; i++) if (path === prefixes[i] || path.startsWith(folders[i]!)) return true
    return false
  }
}

export const lacModule: ApiModule = {
  name: 'lac',
  dialect: lacDialect,
  owns: under('/license-orders'),
  router: (deps) => Router().use(createLacRouter(deps), createLicenseListRouter(deps), createSeatAdminRouter(deps), createMeterAdminRouter(deps), createDenialsRouter(deps)),
  openapi: { ...lacOpenApi, paths: withThrottling(mergePaths(lacOpenApi.paths, seatAdminPaths, meterAdminPaths, licenseListPaths, denialPaths), json(ref('LacError'))), errors: { schema: 'LacError' } },
}

export const rillsoftModule: ApiModule = {
  name: 'rillsoft',
  dialect: rillsoftDialect,
  owns: under('/api/v2'),
  router: createRillsoftRouter,
  openapi: { ...rillsoftOpenApi, paths: withThrottling(rillsoftOpenApi.paths, json(ref('RillsoftEnvelope'))), errors: { schema: 'RillsoftEnvelope' } },
}

export const adminModule: ApiModule = {
  name: 'admin',
  dialect: adminDialect,
  owns: under('/customers', '/product-templates', '/api-keys'),
  router: (deps) => Router().use(createCustomersRouter(deps), createApiKeysRouter(deps)),
  openapi: { ...adminOpenApi, errors: ADMIN_ERRORS },
}

/** The admin API's webhook endpoints (issue 3), in the admin dialect. */
export const webhooksModule: ApiModule = {
  name: 'webhooks',
  dialect: adminDialect,
  owns: under('/webhooks'),
  router: createWebhooksRouter,
  openapi: { ...webhooksOpenApi, errors: ADMIN_ERRORS },
}


export const babelModule: ApiModule = {
  name: 'babel',
  dialect: babelDialect,
  owns: under('/v1/license'),
  router: createBabelRouter,
  openapi: { ...babelOpenApi, paths: withThrottling(babelOpenApi.paths, { content: { [PROBLEM_JSON]: { schema: ref('BabelProblem') } } }), errors: { schema: 'BabelProblem', mediaType: PROBLEM_JSON } },
}

export const wellKnownModule: ApiModule = {
  name: 'well-known',
  dialect: adminDialect,
  owns: under('/.well-known'),
  router: createWellKnownRouter,
  openapi: { ...wellKnownOpenApi, errors: ADMIN_ERRORS },
}

export const dnaModule: ApiModule = {
  name: 'dna',
  dialect: dnaDialect,
  // Case-insensitive, as the routes are: the seed documents /v1/Licenses and its curl example uses /v1/licenses.
  owns: (path) => /^\/v1\/licenses(\/|$)/i.test(path),
  router: createDnaRouter,
  openapi: { ...dnaOpenApi, errors: { schema: 'DnaError' } },
}

export const productsModule: ApiModule = {
  name: 'products',
  dialect: adminDialect,
  owns: under('/products'),
  router: createProductsRouter,
  openapi: { ...productsOpenApi, errors: ADMIN_ERRORS },
}

export const reportsModule: ApiModule = {
  name: 'reports',
  dialect: adminDialect,
  owns: under('/reports'),
  router: (deps) => Router().use(createReportsRouter(deps), createWhatIfRouter(deps)),
  openapi: { ...reportsOpenApi, paths: { ...reportsOpenApi.paths, ...whatIfPaths }, errors: ADMIN_ERRORS },
}

export const cryptlexModule: ApiModule = {
  name: 'cryptlex',
  dialect: cryptlexDialect,
  owns: under('/v3/activations'),
  router: createCryptlexRouter,
  openapi: { ...cryptlexOpenApi, errors: { schema: 'CryptlexError' } },
}

/** The admin API's audit log (issue 5), in the admin dialect. */
export const auditModule: ApiModule = {
  name: 'audit',
  dialect: adminDialect,
  owns: under('/audit'),
  router: createAuditRouter,
  openapi: { ...auditOpenApi, errors: ADMIN_ERRORS },
}

/** The compliance console (issue 15): its page and assets; its errors in the admin dialect. */
export const consoleModule: ApiModule = {
  name: 'console',
  dialect: adminDialect,
  owns: under('/console'),
  router: () => createConsoleRouter(adminDialect),
  openapi: { ...consoleOpenApi, errors: ADMIN_ERRORS },
}

export const apiModules: readonly ApiModule[] = [
  lacModule,
  rillsoftModule,
  adminModule,
  productsModule,
  reportsModule,
  webhooksModule,
  babelModule,
  wellKnownModule,
  dnaModule,
  cryptlexModule,
  auditModule,
  metricsModule,
  consoleModule,
]
