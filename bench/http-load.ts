// What the HTTP benchmarks share: a server process of their own (the engine
// or a baseline), its CPU time read from /proc (so a ratio can be per server
// CPU-second, which the other work on a shared machine disturbs less than
// requests per second), autocannon load with progress, and the machine's load.
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'

export const ADMIN_TOKEN = 'bench-admin-token-0123456789'
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1)

const TICKS_PER_SECOND = 100

/** The CPU time a process has used so far, in ms (Linux), or null where /proc is not there. */
export const cpuMsOf = (pid: number): number | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return null
  }
}

export const machineLoad = (): string => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`

export interface Server {
  readonly url: string
  readonly pid: number
  readonly stop: () => Promise<void>
}

/** A baseline echo server (bench/echo-server.ts) in its own process. */
export const echoServer = (kind: 'raw' | 'fastify' | 'express'): Promise<Server> =>
  new Promise((done, fail) => {
    const script = fileURLToPath(new URL('./echo-server.ts', import.meta.url))
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script, kind], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const port = /listening (\d+)/.exec(output)?.[1]
      if (port !== undefined)
        done({
          url: `http://127.0.0.1:${port}`,
          pid: child.pid!,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM')
            await exited
          },
        })
    })
    child.once('exit', (code) => fail(new Error(`the ${kind} echo exited with ${code}`)))
  })

export interface Measured {
  readonly requests: number
  readonly perSecond: number
  readonly p50: number
  readonly p99: number
  /** Requests per CPU-second of the server process; null without /proc. */
  readonly perCpuSecond: number | null
  /** Requests that got no answer within 10 s. */
  readonly timeouts: number
}

/** `CONNECTIONS` connections posting `bodies` (in turn) to `url` for `SECONDS`; the server's CPU measured alongside. */
export const load = async (title: string, url: string, pid: number, bodies: readonly unknown[], headers: Record<string, string> = {}): Promise<Measured> => {
  let next = 0
  const encoded = bodies.map((b) => JSON.stringify(b))
  const cpuBefore = cpuMsOf(pid)
  const result = await new Promise<autocannon.Result>((done, fail) => {
    const instance = autocannon(
      {
        url,
        title,
        method: 'POST',
        connections: CONNECTIONS,
        duration: SECONDS,
        headers: { 'content-type': 'application/json', ...headers },
        requests: [{ setupRequest: (request) => ({ ...request, body: encoded[next++ % encoded.length] }) }],
      },
      (error, r) => (error ? fail(error) : done(r)),
    )
    autocannon.track(instance, { renderResultsTable: false, renderLatencyTable: false })
  })
  const cpuAfter = cpuMsOf(pid)
  // A timeout (no answer within autocannon's 10 s) is counted and shown, not fatal: on a busy machine it happens.
  if (result.non2xx > 0 || result.errors > result.timeouts) throw new Error(`${title}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  const requests = result.requests.total
  return {
    requests,
    perSecond: Math.round(requests / SECONDS),
    p50: result.latency.p50,
    p99: result.latency.p99,
    timeouts: result.timeouts,
    perCpuSecond: cpuBefore === null || cpuAfter === null || cpuAfter === cpuBefore ? null : Math.round(requests / ((cpuAfter - cpuBefore) / 1000)),
  }
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

export const describe = (name: string, m: Measured): string =>
  `  ${name.padEnd(30)} ${m.perSecond.toString().padStart(6)} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, ${m.perCpuSecond ?? '?'} req per server CPU-second (${m.requests} requests${m.timeouts > 0 ? `, ${m.timeouts} timed out` : ''})`
