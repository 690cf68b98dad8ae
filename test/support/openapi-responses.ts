// Every response an HTTP test receives through `client` (server.ts) is checked
// against the OpenAPI document the server publishes: the path and method are
// looked up, the status must be documented for them, the content type listed,
// and a JSON body must validate against the schema (JSON Schema 2020-12, as
// OpenAPI 3.1 says, with ajv). A response that does not fits fails the test
// that got it. Paths the document does not list (a test probing an unknown
// path or method) are not checked: app.ts answers those, and the tests say how.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { apiModules } from '../../src/http/modules.js'
import { openApiDocument } from '../../src/http/openapi.js'
import { VERSION } from '../../src/main.js'

type Json = Record<string, any>

const DOCUMENT_ID = 'https://licensing-engine.local/openapi.json'
const document = openApiDocument(apiModules, VERSION) as Json

let ajv: Ajv2020 | null = null
const validator = (): Ajv2020 => {
  if (ajv !== null) return ajv
  ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  ajv.addSchema({ $id: DOCUMENT_ID, components: document.components }, DOCUMENT_ID)
  return ajv
}
const compiled = new Map<string, ValidateFunction>()
/** A response schema, its references pointed at the document's components. */
const validate = (key: string, schema: unknown): ValidateFunction => {
  let found = compiled.get(key)
  if (found === undefined) {
    found = validator().compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${DOCUMENT_ID}#/components/`)))
    compiled.set(key, found)
  }
  return found
}

const templates = Object.keys(document.paths as Json)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    // Case-insensitive, as Express routes.
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}/?$`, 'i'),
  }))
  // A literal segment wins over a parameter (/audit/events.csv before /audit/events/{id}).
  .sort((a, b) => a.params - b.params)

/** The documented operation for a request, or null when the document does not list the path and method. */
export const operationFor = (method: string, path: string): { template: string; operation: Json } | null => {
  const found = templates.find(({ pattern }) => pattern.test(path))
  const operation = found === undefined ? undefined : (document.paths[found.template] as Json)[method.toLowerCase()]
  return operation === undefined ? null : { template: found!.template, operation }
}

/** What is wrong with a response for the document (empty: nothing). */
export const responseProblems = (method: string, url: string, status: number, contentType: string | null, text: string): string[] => {
  const path = url.split('?')[0]!.split('#')[0]!
  const found = operationFor(method, path)
  if (found === null) return []
  const responses = (found.operation.responses ?? {}) as Json
  const documented = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default
  const where = `${method} ${found.template} → ${status}`
  if (documented === undefined) return [`${where}: the status is not documented (documented: ${Object.keys(responses).join(', ')})`]
  const content = (documented.content ?? {}) as Json
  if (text === '') return Object.keys(content).length === 0 || status === 304 ? [] : [`${where}: no body, but the document gives one (${Object.keys(content).join(', ')})`]
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  const entry = content[mediaType] ?? content['*/*']
  if (entry === undefined) return [`${where}: content type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ') || 'no body'})`]
  if (entry.schema === undefined) return []
  let body: unknown = text
  if (/[/+]json$/.test(mediaType)) {
    try {
      body = JSON.parse(text)
    } catch {
      return [`${where}: the body is not JSON`]
    }
  } else if (entry.schema.type !== 'string') return []
  const check = validate(`${found.template} ${method} ${status} ${mediaType}`, entry.schema)
  if (check(body)) return []
  return (check.errors ?? []).map((e) => `${where}: ${e.instancePath || '(body)'} ${e.message}${e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ''}`)
}
