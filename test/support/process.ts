// Runs the engine as a real separate process (`node --import tsx src/cli.ts serve`),
// so a test can kill it with SIGKILL mid-work, or see it refuse to start.
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

export interface EngineProcess {
  readonly url: string
  readonly child: ChildProcess
  readonly kill: () => Promise<void>
  readonly output: () => string
}

export const spawnEngine = (env: Record<string, string>): Promise<EngineProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    const exited = new Promise<void>((done) => child.once('exit', () => done()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`engine did not start:\n${output}`))
    }, 60_000)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(output)
      if (match !== null) {
        clearTimeout(timer)
        resolve({
          url: `http://127.0.0.1:${match[1]}`,
          child,
          output: () => output,
          kill: async () => {
            child.kill('SIGKILL')
            await exited
          },
        })
      }
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`engine exited with ${code}:\n${output}`))
    })
  })

export interface Refusal {
  /** The exit code; null when it had to be killed (it did not stop by itself within the time given). */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `licensing serve` for a start that should be refused: it exits by itself, or is killed after `timeoutMs`. */
export const refusedStart = (env: Record<string, string>, timeoutMs = 30_000): Promise<Refusal> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', CLI, 'serve'],
      { env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env }, encoding: 'utf8', timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    )
  })
