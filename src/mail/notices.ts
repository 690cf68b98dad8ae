// The notices seed 004 sends when a license's e-mail changes (SendDnaEmail):
// one to the old address, one to the new. Pure: the mailer gives it the event
// and what the license looked like when the event happened.
import type * as t from 'io-ts'
import type { LicenseEmailChanged } from '../domain/order/license-events.js'
import type { MailMessage } from './transport.js'

export interface NoticeContext {
  /** The id of the stored event: what makes each notice's key unique and stable. */
  readonly eventId: string
  readonly activationKey: string
  /** The product template's name, or null when it is unknown. */
  readonly productName: string | null
  readonly from: string
}

type EmailChange = t.TypeOf<typeof LicenseEmailChanged>['data']

const safe = (text: string): string => text.replace(/[^A-Za-z0-9_-]/g, '_')

/** The keys of the notices an e-mail change sends, known from the event alone: one to the new address, one to the old when there was one. */
export const noticeKeys = (change: Pick<EmailChange, 'from'>, eventId: string): { readonly toNew: string; readonly toOld: string | null } => ({
  toNew: `${safe(eventId)}-new`,
  toOld: change.from === null ? null : `${safe(eventId)}-old`,
})

export const emailChangeNotices = (change: EmailChange, context: NoticeContext): readonly MailMessage[] => {
  const license = context.productName === null ? `license ${context.activationKey}` : `${context.productName} license ${context.activationKey}`
  const date = new Date(change.at)
  const subject = `${change.test ? '[Test] ' : ''}The e-mail address of your license was changed`
  const when = change.at.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC')
  const keys = noticeKeys(change, context.eventId)
  const toNew: MailMessage = {
    key: keys.toNew,
    from: context.from,
    to: change.to,
    subject,
    date,
    text: [
      `Hello,`,
      ``,
      `This address is now the e-mail address of your ${license}${change.from === null ? '' : ` (it was ${change.from})`}.`,
      `The change was made on ${when}.`,
      ``,
      `If you did not ask for this change, please contact the vendor's support.`,
    ].join('\n'),
  }
  if (change.from === null || keys.toOld === null) return [toNew]
  const toOld: MailMessage = {
    key: keys.toOld,
    from: context.from,
    to: change.from,
    subject,
    date,
    text: [
      `Hello,`,
      ``,
      `The e-mail address of your ${license} was changed from ${change.from} to ${change.to} on ${when}.`,
      `Messages about this license will go to the new address from now on.`,
      ``,
      `If you did not ask for this change, please contact the vendor's support.`,
    ].join('\n'),
  }
  return [toOld, toNew]
}
