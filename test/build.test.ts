// The production build: `npm run build` compiles the sources to dist/, and Node
// runs the result by itself (no tsx), as the image's runtime stage does. The
// image cannot be built here (no Docker); its Dockerfile is checked for what
// makes it a compiled image on a supported Node LTS.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))
const run = promisify(execFile)

describe('production build', () => {
  it('npm run build compiles to dist/, and node dist/cli.js runs without tsx', async () => {
    await run('npm', ['run', 'build'], { cwd: root, encoding: 'utf8', timeout: 290_000 })
    // No loader: had anything stayed TypeScript or unresolvable by Node, this would fail to start.
    const help = await run(process.execPath, ['dist/cli.js', '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: '' } })
    expect(help.stdout).toMatch(/^usage: licensing <command>/)
    for (const command of ['serve', 'replay', 'backup', 'restore', 'api-keys', 'license']) expect(help.stdout).toContain(`  ${command} `)
    const serveHelp = await run(process.execPath, ['dist/cli.js', 'serve', '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 })
    expect(serveHelp.stdout).toMatch(/^usage: licensing serve/)
  }, 300_000)

  it('the Dockerfile builds with npm run build and runs node dist/cli.js on a supported Node LTS, without tsx', () => {
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8')
    const stages = dockerfile.split(/^FROM /m).slice(1)
    expect(stages.length).toBeGreaterThanOrEqual(2)
    const runtime = stages.at(-1)!
    const major = Number(/^node:(\d+)/.exec(runtime)?.[1])
    // An even major line (an LTS), not past its end of life: 20 ended in April 2026.
    expect(major % 2).toBe(0)
    expect(major).toBeGreaterThanOrEqual(22)
    expect(stages.slice(0, -1).join('')).toContain('npm run build')
    expect(runtime).toContain('COPY --from=build /app/dist ./dist')
    expect(runtime).toMatch(/^CMD \["node", "dist\/cli\.js", "serve"\]$/m)
    expect(runtime).not.toContain('tsx')
    expect(runtime).not.toMatch(/COPY (src|tsconfig)/)
  })

  it('keeps engines at >=20 and tsx out of the runtime dependencies', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      engines: { node: string }
      dependencies: Record<string, string>
      scripts: Record<string, string>
    }
    expect(pkg.engines.node).toBe('>=20')
    expect(pkg.dependencies).not.toHaveProperty('tsx')
    expect(pkg.dependencies).not.toHaveProperty('typescript')
    expect(pkg.scripts.build).toContain('tsc -p tsconfig.build.json')
  })
})
