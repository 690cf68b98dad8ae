// Why a license cannot be used as asked. A full license is not among them for
// floating seats: "no seat free" is an answer (granted: false), not a failure.
import type { MeterError } from './meters.js'

export type UsageError =
  | { readonly _tag: 'OrderNotFound'; readonly orderId: string }
  | { readonly _tag: 'OrderDisabled'; readonly orderId: string }
  | { readonly _tag: 'LicenseExpired'; readonly orderId: string; readonly expiredAt: string }
  /** `denialId`: the recorded denial (ActivationDenied) the refusal stands for, when the caller found it. */
  | { readonly _tag: 'ActivationLimitReached'; readonly orderId: string; readonly limit: number; readonly denialId?: string }
  | { readonly _tag: 'ActivationNotFound'; readonly orderId: string }
  | { readonly _tag: 'DeactivationLimitReached'; readonly orderId: string; readonly allowed: number }
  | { readonly _tag: 'TokenRevoked'; readonly orderId: string; readonly tokenId: string; readonly revokedAt: string }
  | { readonly _tag: 'TokenNotFound'; readonly orderId: string; readonly tokenId: string }
  /** The client or machine presenting a token is not the one it was issued to. */
  | { readonly _tag: 'ClientMismatch'; readonly orderId: string; readonly tokenId: string }
  | MeterError
  /** Seed 003: the fingerprint sent is not the machine the activation is bound to. */
  | { readonly _tag: 'FingerprintMismatch'; readonly orderId: string; readonly activationId: string }
  | { readonly _tag: 'LeaseTooShort'; readonly orderId: string; readonly leaseSeconds: number; readonly minimum: number }
