// The engine the replay and start-up benchmarks run, as the command a user
// runs: this checkout's, or with BENCH_ENGINE=<checkout> another's (the
// "before" figures in the README), on the same log and against the same baseline.
import { spawn, type ChildProcess } from 'node:child_process'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const engineRoot = (): string => resolve(process.env.BENCH_ENGINE ?? fileURLToPath(new URL('..', import.meta.url)))

/** `licensing <args>` of the engine, on a data directory, with its stderr shown (progress) and kept. */
export const runLicensing = (dataDir: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ readonly code: number | null; readonly stderr: string }> =>
  new Promise((done, fail) => {
    const root = engineRoot()
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, LICENSING_DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      process.stderr.write(chunk)
    })
    child.once('error', fail)
    child.once('exit', (code) => done({ code, stderr }))
  })

export interface Served {
  readonly child: ChildProcess
  /** Resolves with the URL once the engine logs that it listens; rejects if it exits first. */
  readonly listening: Promise<string>
  /** Stops it as a user would (SIGTERM), and waits for it to exit. */
  readonly stop: () => Promise<void>
  readonly kill: () => Promise<void>
}

/** `licensing serve` of the engine (or of the checkout at `root`) on a free port; `nodeArgs` for node itself (a CPU profile: `--cpu-prof`). */
export const serve = (dataDir: string, env: Record<string, string> = {}, nodeArgs: readonly string[] = [], root: string = engineRoot()): Served => {
  // BENCH_BUILT=1: the engine built with `npm run build` (dist/), whose functions keep their names in a CPU profile.
  const entry = process.env.BENCH_BUILT === '1' ? [join(root, 'dist/cli.js')] : ['--import', 'tsx', join(root, 'src/cli.ts')]
  const child = spawn(process.execPath, [...nodeArgs, ...entry, 'serve'], {
    cwd: root,
    // Seeds 000, 001 and 002's rate limits off: a benchmark's load is not a client's.
    env: { ...process.env, LICENSING_DATA_DIR: dataDir, EVENTSTORE_CONNECTION_STRING: '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', RILLSOFT_RATE_LIMIT_PER_MINUTE: '0', LAC_RATE_LIMIT_PER_MINUTE: '0', BABEL_RATE_LIMIT_PER_MINUTE: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const listening = new Promise<string>((done, fail) => {
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const port = /"port":(\d+)[^\n]*"msg":"listening"/.exec(output)?.[1]
      if (port !== undefined) done(`http://127.0.0.1:${port}`)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => fail(new Error(`the engine exited with ${code} before it listened:\n${output.slice(-2_000)}`)))
  })
  listening.catch(() => undefined)
  return {
    child,
    listening,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    },
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}
