// The APIs this server speaks, each in its own dialect.
import { Router } from 'express'
import { createApiKeysRouter } from './admin/api-keys.js'
import { createAuditRouter } from './admin/audit.js'
import { auditOpenApi } from './admin/audit-openapi.js'
import { createCustomersRouter } from './admin/customers.js'
import { adminDialect } from './admin/dialect.js'
import { adminOpenApi } from './admin/openapi.js'
import type { ApiModule } from './api-module.js'
import { lacDialect } from './lac/dialect.js'
import { lacOpenApi } from './lac/openapi.js'
import { createLacRouter } from './lac/router.js'
import { rillsoftDialect } from './rillsoft/dialect.js'
import { rillsoftOpenApi } from './rillsoft/openapi.js'
import { createRillsoftRouter } from './rillsoft/router.js'
import { createWebhooksRouter } from './admin/webhooks.js'
import { webhooksOpenApi } from './admin/webhooks-openapi.js'

const under =
  (...prefixes: readonly string[]) =>
  (path: string): boolean =>
    prefixes.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))

export const lacModule: ApiModule = {
  name: 'lac',
  dialect: lacDialect,
  owns: under('/license-orders'),
  router: createLacRouter,
  openapi: lacOpenApi,
}

export const rillsoftModule: ApiModule = {
  name: 'rillsoft',
  dialect: rillsoftDialect,
  owns: under('/api/v2'),
  router: createRillsoftRouter,
  openapi: rillsoftOpenApi,
}

export const adminModule: ApiModule = {
  name: 'admin',
  dialect: adminDialect,
  owns: under('/customers', '/product-templates', '/api-keys'),
  router: (deps) => Router().use(createCustomersRouter(deps), createApiKeysRouter(deps)),
  openapi: adminOpenApi,
}

/** The admin API's webhook endpoints (issue 3), in the admin dialect. */
export const webhooksModule: ApiModule = {
  name: 'webhooks',
  dialect: adminDialect,
  owns: under('/webhooks'),
  router: createWebhooksRouter,
  openapi: webhooksOpenApi,
}

/** The admin API's audit log (issue 5), in the admin dialect. */
export const auditModule: ApiModule = {
  name: 'audit',
  dialect: adminDialect,
  owns: under('/audit'),
  router: createAuditRouter,
  openapi: auditOpenApi,
}

export const apiModules: readonly ApiModule[] = [lacModule, rillsoftModule, adminModule, webhooksModule, auditModule]
