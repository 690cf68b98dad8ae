#!/usr/bin/env node
// `npx licensing <command>`: the engine's command-line tools. From a clone, the
// TypeScript sources run through tsx; where tsx is not installed (the production
// image, `npm ci --omit=dev`), the compiled dist/cli.js runs (`npm run build`).
let register = null
try {
  ;({ register } = await import('tsx/esm/api'))
} catch {
  register = null
}
if (register === null) {
  await import('../dist/cli.js')
} else {
  register()
  await import('../src/cli.ts')
}
