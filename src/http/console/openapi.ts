import type { ApiModule } from '../api-module.js'
import { json, pathParam, ref, str } from '../openapi-helpers.js'

const tag = 'Console'

export const consoleOpenApi: ApiModule['openapi'] = {
  tags: [{ name: tag, description: 'The compliance console: a page served by the engine that reads its JSON endpoints with the token you sign in with.' }],
  paths: {
    '/console': {
      get: {
        tags: [tag],
        security: [],
        summary: 'The console page (no credential needed to load it; every request it makes carries the token signed in with).',
        responses: { '200': { description: 'HTML', content: { 'text/html': { schema: str } } } },
      },
    },
    '/console/{asset}': {
      get: {
        tags: [tag],
        security: [],
        summary: "The console's scripts and stylesheet.",
        parameters: [pathParam('asset', 'A file name such as app.js or console.css.')],
        responses: {
          '200': { description: 'The asset', content: { 'text/javascript': { schema: str }, 'text/css': { schema: str }, 'text/html': { schema: str } } },
          '404': json(ref('AdminError'), 'No such asset.'),
        },
      },
    },
  },
}
