// Where e-mail goes. With an SMTP URL, to that server; without one, each
// message is composed into a raw RFC 5322 file (`.eml`) in the outbox folder,
// where an operator or a test can read it. Neither logs the SMTP URL, which
// may hold a password.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import nodemailer from 'nodemailer'
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js'
import type { Logger } from 'pino'

export interface MailMessage {
  /** Unique and stable for one message (the same on a resend), safe in a file name. */
  readonly key: string
  readonly from: string
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly date: Date
}

export interface MailTransport {
  readonly kind: 'outbox' | 'smtp'
  readonly send: (message: MailMessage) => Promise<void>
  readonly close: () => void
}

export interface MailTransportOptions {
  readonly smtpUrl: string | null
  readonly outboxDir: string
  readonly logger: Logger
}

/** The Message-ID: stable per message, so that a receiver can tell a resend from a new message. */
export const messageIdOf = (message: MailMessage): string => `<${message.key}@licensing-engine>`

const mailOptions = (message: MailMessage) => ({
  from: message.from,
  to: message.to,
  subject: message.subject,
  text: message.text,
  date: message.date,
  messageId: messageIdOf(message),
})

const compact = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z')

const outboxTransport = (outboxDir: string, logger: Logger): MailTransport => {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  mkdirSync(outboxDir, { recursive: true })
  return {
    kind: 'outbox',
    send: async (message) => {
      const info = await composer.sendMail(mailOptions(message))
      const file = join(outboxDir, `${compact(message.date)}-${message.key}.eml`)
      // Written whole or not at all: a reader never sees half a message. A resend overwrites the same file.
      writeFileSync(`${file}.tmp`, info.message as Buffer)
      renameSync(`${file}.tmp`, file)
      logger.info({ to: message.to, subject: message.subject, file }, 'e-mail notice written to the outbox')
    },
    close: () => composer.close(),
  }
}

const smtpTransport = (smtpUrl: string, logger: Logger): MailTransport => {
  // Bounded waits, so that an unreachable server delays notices (they are retried) but never a shutdown for long.
  const transport = nodemailer.createTransport(
    new SMTPTransport({ url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }),
  )
  return {
    kind: 'smtp',
    send: async (message) => {
      await transport.sendMail(mailOptions(message))
      logger.info({ to: message.to, subject: message.subject, messageId: messageIdOf(message) }, 'e-mail notice sent')
    },
    close: () => transport.close(),
  }
}

export const createMailTransport = ({ smtpUrl, outboxDir, logger }: MailTransportOptions): MailTransport =>
  smtpUrl === null ? outboxTransport(outboxDir, logger) : smtpTransport(smtpUrl, logger)
