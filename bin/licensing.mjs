#!/usr/bin/env node
// `npx licensing <command>`: runs the engine's command-line tools from source through tsx.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli.ts')
