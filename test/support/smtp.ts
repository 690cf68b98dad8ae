// A real SMTP server on loopback (smtp-server) that keeps what it receives,
// and a port nothing listens on, for a mail server that is down.
import { createServer, type AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'

export interface ReceivedMail {
  readonly from: string | null
  readonly to: readonly string[]
  readonly raw: string
}

export interface SmtpReceiver {
  readonly url: string
  readonly received: readonly ReceivedMail[]
  readonly close: () => Promise<void>
}

export const startSmtpReceiver = async (): Promise<SmtpReceiver> => {
  const received: ReceivedMail[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom
        received.push({ from: mailFrom === false ? null : mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') })
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.server.address() as AddressInfo
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** A loopback port that was free a moment ago and that nothing listens on now. */
export const deadPort = async (): Promise<number> => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** A header of a raw message (unfolded). */
export const headerOf = (raw: string, name: string): string | null => {
  const match = new RegExp(`^${name}:[ \\t]*((?:.*)(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(raw)
  return match === null ? null : match[1]!.replace(/\r?\n[ \t]+/g, ' ').trim()
}

/** The text body of a raw single-part message, decoded from quoted-printable when it is so encoded. */
export const textOf = (raw: string): string => {
  const split = raw.search(/\r?\n\r?\n/)
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '')
  if (!/quoted-printable/i.test(headerOf(raw, 'Content-Transfer-Encoding') ?? '')) return body
  return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
}
