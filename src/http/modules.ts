// The APIs this server speaks, each in its own dialect.
import { Router } from 'express'
import { createApiKeysRouter } from './admin/api-keys.js'
import { createCustomersRouter } from './admin/customers.js'
import { adminDialect } from './admin/dialect.js'
import { adminOpenApi } from './admin/openapi.js'
import type { ApiModule } from './api-module.js'
import { productsOpenApi } from './admin/products-openapi.js'
import { createProductsRouter } from './admin/products.js'
import { dnaDialect } from './dna/dialect.js'
import { dnaOpenApi } from './dna/openapi.js'
import { createDnaRouter } from './dna/router.js'
import { lacDialect } from './lac/dialect.js'
import { lacOpenApi } from './lac/openapi.js'
import { createLacRouter } from './lac/router.js'
import { rillsoftDialect } from './rillsoft/dialect.js'
import { rillsoftOpenApi } from './rillsoft/openapi.js'
import { createRillsoftRouter } from './rillsoft/router.js'

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

export const dnaModule: ApiModule = {
  name: 'dna',
  dialect: dnaDialect,
  // Case-insensitive, as the routes are: the seed documents /v1/Licenses and its curl example uses /v1/licenses.
  owns: (path) => /^\/v1\/licenses(\/|$)/i.test(path),
  router: createDnaRouter,
  openapi: dnaOpenApi,
}

export const productsModule: ApiModule = {
  name: 'products',
  dialect: adminDialect,
  owns: under('/products'),
  router: createProductsRouter,
  openapi: productsOpenApi,
}

export const apiModules: readonly ApiModule[] = [lacModule, rillsoftModule, adminModule, dnaModule, productsModule]
