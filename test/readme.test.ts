// The README stays true: its two commands, its configuration table, and its
// curl walkthrough, which this test runs against a real server.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config.js'
import { startTestServer } from './support/server.js'
import { makeTempDir } from './support/tmp.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

/** The first ```sh block after a heading. */
const blockAfter = (heading: string): string => {
  const section = readme.slice(readme.indexOf(heading))
  const match = /```sh\n([\s\S]*?)```/.exec(section)
  if (match === null) throw new Error(`no sh block after ${heading}`)
  return match[1]!
}

describe('README', () => {
  it('states the command that runs the server and the one that runs the tests', () => {
    expect(readme).toContain('npm install && npm start')
    expect(readme).toContain('npm test')
  })

  it('documents every setting in its configuration table', () => {
    for (const setting of SETTINGS) expect(readme, setting.name).toMatch(new RegExp(`\\| \`${setting.name}\` \\|`))
  })

  it('walkthrough: the curl commands work against a real server, as written', async () => {
    const work = makeTempDir('walkthrough')
    const dataDir = join(work.path, 'data')
    mkdirSync(dataDir)
    const server = await startTestServer({ dir: { ...work, path: dataDir }, config: { adminToken: null } })
    try {
      // Asynchronously: the server answering these requests runs in this very process.
      const { stdout: output } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', blockAfter('## Walkthrough')], {
        cwd: work.path,
        env: { ...process.env, BASE: server.url },
        encoding: 'utf8',
      })
      const replies = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
      expect(replies).toHaveLength(6)
      const [customer, template, created, updated, changed, read] = replies
      expect(customer).toMatchObject({ id: 1, name: 'Rivers Inc' })
      expect(template).toMatchObject({ id: 1, product_id: '1' })
      expect(created).toMatchObject({ activation_key: 'II1HP-TX8EQ-R1QXZ-7LYXF', activations_allowed: '5' })
      expect(updated).toMatchObject({ activation_key: 'II1HP-TX8EQ-R1QXZ-7LYXF', activations_allowed: '10', deactivations_left: 10 })
      expect(changed).toEqual({ status: 'success', code: 200, message: 'Operation completed successfully', details: [] })
      expect(read).toMatchObject({ activation_key: 'AK654321', description: 'License order description' })
    } finally {
      await server.stop()
      work.remove()
    }
  })
})
