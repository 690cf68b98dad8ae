// A seed 003 client written the way Cryptlex's official activation sample
// (cryptlex/web-api-activation-examples, C#) works: no Authorization header,
// the request body serialised PascalCase, the activationToken verified
// offline as an RS256 JWT with the product's public key (PEM) embedded in the
// app, then the sample's own checks: key and pid must be the app's, fp the
// machine's, iat not ahead of the clock by more than aco. Errors are read as
// the sample reads them: a 400's code, 404 drops the stored activation, a
// 409's DEACTIVATION_LIMIT_REACHED.
import { importSPKI, jwtVerify, type JWTPayload } from 'jose'

export interface LexApp {
  readonly baseUrl: string
  readonly productId: string
  /** The product's public key as the vendor embeds it (SPKI PEM). */
  readonly publicKeyPem: string
  readonly now: () => Date
}

export interface LexMachine {
  readonly fingerprint: string
  readonly hostname: string
  readonly os: string
}

export type LexStatus =
  | 'LA_OK'
  | 'LA_FAIL'
  | 'LA_EXPIRED'
  | 'LA_E_MACHINE_FINGERPRINT'
  | 'LA_E_TIME'
  | 'LA_E_ACTIVATION_NOT_FOUND'
  | 'LA_E_ACTIVATION_LIMIT'
  | 'LA_E_DEACTIVATION_LIMIT'
  | 'LA_E_LICENSE_KEY'
  | 'LA_E_PRODUCT_ID'
  | 'LA_E_REVOKED'
  | 'LA_E_METER_ATTRIBUTE_USES_LIMIT_REACHED'
  | 'LA_E_RATE_LIMIT'
  | 'LA_E_CLIENT'
  | 'LA_E_SERVER'

const CODES_400: Readonly<Record<string, LexStatus>> = {
  ACTIVATION_LIMIT_REACHED: 'LA_E_ACTIVATION_LIMIT',
  INVALID_ACTIVATION_FINGERPRINT: 'LA_E_MACHINE_FINGERPRINT',
  INVALID_PRODUCT_ID: 'LA_E_PRODUCT_ID',
  INVALID_LICENSE_KEY: 'LA_E_LICENSE_KEY',
  REVOKED_LICENSE: 'LA_E_REVOKED',
  METER_ATTRIBUTE_USES_LIMIT_REACHED: 'LA_E_METER_ATTRIBUTE_USES_LIMIT_REACHED',
}

export const createLexClient = (app: LexApp, machine: LexMachine) => {
  /** What the app keeps between runs: the last verified token and its payload. */
  let stored: { readonly jwt: string; readonly payload: JWTPayload } | null = null
  const requests: { readonly method: string; readonly headers: Headers }[] = []

  const send = async (method: string, path: string, body?: unknown): Promise<Response> => {
    const headers = new Headers(body === undefined ? {} : { 'Content-Type': 'application/json' })
    requests.push({ method, headers })
    return fetch(`${app.baseUrl}/v3/activations${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  }

  /** The sample's request body, PascalCase as Newtonsoft writes it by default. */
  const requestBody = (licenseKey: string, meterAttributes: readonly { readonly name: string; readonly usesIncrement: number }[]) => ({
    Key: licenseKey,
    Os: machine.os,
    OsVersion: '10.0',
    Fingerprint: machine.fingerprint,
    VmName: '',
    Hostname: machine.hostname,
    AppVersion: '1.0.0',
    ClientVersion: '3.0.0',
    Email: '',
    Password: '',
    UserHash: 'a2f1c3e4d5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978',
    ProductId: app.productId,
    AccountId: '',
    Metadata: [{ Key: 'seat', Value: 'desk 4' }],
    MeterAttributes: meterAttributes.map(({ name, usesIncrement }) => ({ Name: name, UsesIncrement: usesIncrement })),
  })

  const seconds = (): number => Math.floor(app.now().getTime() / 1000)

  /** Offline validation of a token: signature with the embedded key, then key, pid, fp, time and expiry. */
  const validate = async (jwt: string, licenseKey: string): Promise<{ status: LexStatus; payload: JWTPayload | null }> => {
    let payload: JWTPayload
    try {
      payload = (await jwtVerify(jwt, await importSPKI(app.publicKeyPem, 'RS256'), { algorithms: ['RS256'], currentDate: app.now() })).payload
    } catch {
      return { status: 'LA_FAIL', payload: null }
    }
    for (const claim of ['pmd', 'lmd', 'umd', 'amd', 'lma', 'ama']) if (!Array.isArray(payload[claim])) return { status: 'LA_FAIL', payload: null }
    if (payload.key !== licenseKey) return { status: 'LA_FAIL', payload }
    if (payload.pid !== app.productId) return { status: 'LA_FAIL', payload }
    if (payload.fp !== machine.fingerprint) return { status: 'LA_E_MACHINE_FINGERPRINT', payload }
    if ((payload.iat ?? 0) - seconds() > (payload.aco as number)) return { status: 'LA_E_TIME', payload }
    const eat = payload.eat as number
    if (eat !== 0 && eat < seconds()) return { status: 'LA_EXPIRED', payload }
    return { status: 'LA_OK', payload }
  }

  const failed = async (res: Response): Promise<LexStatus> => {
    if (res.status === 500 || res.status === 503) return 'LA_E_SERVER'
    if (res.status === 429) return 'LA_E_RATE_LIMIT'
    if (res.status === 404) {
      stored = null
      return 'LA_E_ACTIVATION_NOT_FOUND'
    }
    const { code } = (await res.json()) as { code?: string }
    if (res.status === 400) return CODES_400[code ?? ''] ?? 'LA_E_CLIENT'
    if (res.status === 409 && code === 'DEACTIVATION_LIMIT_REACHED') return 'LA_E_DEACTIVATION_LIMIT'
    return 'LA_E_CLIENT'
  }

  /** Activates (or, with serverSync, updates the stored activation) and keeps the verified token. */
  const activate = async (licenseKey: string, meterAttributes: readonly { readonly name: string; readonly usesIncrement: number }[] = [], serverSync = false): Promise<LexStatus> => {
    const body = requestBody(licenseKey, meterAttributes)
    const res = serverSync && stored !== null ? await send('PATCH', `/${String(stored.payload.aid)}`, body) : await send('POST', '', body)
    if (!res.ok) return failed(res)
    const { activationToken } = (await res.json()) as { activationToken: string }
    const { status, payload } = await validate(activationToken, licenseKey)
    if (status === 'LA_OK' && payload !== null) stored = { jwt: activationToken, payload }
    return status
  }

  const deactivate = async (): Promise<LexStatus> => {
    if (stored === null) return 'LA_FAIL'
    const res = await send('DELETE', `/${String(stored.payload.aid)}`)
    if (!res.ok) return failed(res)
    stored = null
    return 'LA_OK'
  }

  return {
    activate,
    /** A sync with the server: PATCH of the stored activation, meter increments with it. */
    sync: (licenseKey: string, meterAttributes: readonly { readonly name: string; readonly usesIncrement: number }[] = []) => activate(licenseKey, meterAttributes, true),
    deactivate,
    /** Validation without the network: the stored token, checked again now. */
    validateOffline: async (licenseKey: string): Promise<LexStatus> => (stored === null ? 'LA_FAIL' : (await validate(stored.jwt, licenseKey)).status),
    stored: () => stored,
    requests: () => requests,
  }
}
