// The seeds' own examples (../shared/seeds), attached to the operations they
// document. The linter checks each against its schema (no-invalid-media-type-
// examples), so the document cannot say something a seed contradicts: where
// they disagree, the seed wins and the schema is fixed. To add one: an entry
// under "<method> <path template>", a request example and/or examples by status.

export interface OperationExamples {
  /** Which seed, for the example's summary. */
  readonly seed: string
  readonly request?: unknown
  readonly responses?: Readonly<Record<string, unknown>>
}

const seed001Order = {
  customer_id: 1,
  product_template_id: 1,
  license_type: 'network',
  licensee_type: 'customer',
  hostid_match_rate: 100,
  min_hostids: 1,
  activations_allowed: 10,
  enabled: true,
  description: 'License order description',
  settings_description: 'Settings description',
  removal: false,
  deactivations_allowed: 10,
  Hostids: [{ name: 'hostname', min_amount: 1, max_amount: 1 }],
  Features: [
    {
      name: 'Licstat',
      version: '6.0',
      expiration_type: 'days_from_activation',
      days_from_activation: 90,
      issued_type: 'activation_time',
      options: 'Feature options',
      additional_settings: 'Additional settings',
      count: 15,
      maintenance_type: 'fixed',
      maintenance_date: '2020-12-31',
      enabled: true,
      comment: 'Feature comment',
    },
  ],
}

const seed001Reply = {
  customer: {
    name: 'Rivers Inc',
    description: 'desc',
    phone_number: '779.790.4969x1425',
    fax_number: '(536)600-8229',
    street: '008 Santiago Groves Suite 651',
    city: 'Shortport',
    country: 'USA',
    zip_code: '62448',
    state: 'South Carolina',
    Contacts: [
      { name: 'James Taylor', email: 'nfisher@test.x-formation.com' },
      { name: 'Victor Martinez', email: 'ngallagher@test.x-formation.com' },
    ],
    CustomTags: [
      { tag_name: 'custom_tag_1', value: 'Gouldton' },
      { tag_name: 'custom_tag_2', value: 'Idaho' },
    ],
  },
  product_template: { id: '1', name: 'Trial', product_id: '1' },
  activation_key: 'II1HP-TX8EQ-R1QXZ-7LYXF',
  creation_time: '2019-08-20 09:40:35',
  license_type: 'network',
  licensee_type: 'customer',
  licensee: null,
  hostid_match_rate: '100',
  min_hostids: '1',
  activations_allowed: '10',
  activated_licenses_count: 0,
  enabled: true,
  description: 'License order description',
  settings_description: 'Settings description',
  removal: false,
  removal_request_time: null,
  removal_confirmation_time: null,
  deactivations_allowed: '10',
  deactivations_left: 10,
  Hostids: [{ name: 'Hostname', min_amount: '1', max_amount: '1' }],
  Features: [
    {
      name: 'Licstat',
      version: '6.0',
      expiration_type: 'days_from_activation',
      expiration_date: null,
      issued_type: 'activation_time',
      issued_date: null,
      options: 'Feature options',
      additional_settings: 'Additional settings',
      enabled: true,
      days_from_activation: '90',
      count: '15',
      maintenance_type: 'fixed',
      maintenance_date: '2020-12-31',
      maintenance_days_from_activation: null,
      comment: 'Feature comment',
    },
  ],
}

const timestamp = { seconds: 0, nanos: 0 }
const seed002License = { licenseId: 'string', licensingMode: 0, expireAt: timestamp, supportExpireAt: timestamp, licenseKey: [0] }
const seed002Client = { userKey: 'string', machineId: 'string', clientId: 'string', clientName: 'string' }

export const seedExamples: Readonly<Record<string, OperationExamples>> = {
  'patch /api/v2/clients/{client_id}/license': {
    seed: '000',
    request: { serialNumber: 'SN-0001', activationKey: 'II1HP-TX8EQ-R1QXZ-7LYXF' },
    responses: {
      '200': { status: 'success', code: 200, message: 'Operation completed successfully', details: [] },
      '400': { status: 'error', code: 400, message: 'Invalid request', details: 'Validation error' },
      '401': { status: 'error', code: 401, message: 'Authentication failed', details: 'JWT token not found' },
      '403': { status: 'error', code: 403, message: 'Access denied', details: 'Insufficient permissions' },
      '404': { status: 'error', code: 404, message: 'Not found', details: 'The requested resource was not found' },
    },
  },
  'patch /license-orders/{activation_key}': { seed: '001', request: seed001Order, responses: { '200': seed001Reply } },
  'post /v1/license/activate': {
    seed: '002',
    request: seed002Client,
    responses: {
      '200': { success: true, licenseToken: 'string', tokenExpireAt: timestamp, activeClientCount: 0, maxClientCount: 0, license: seed002License },
    },
  },
  'patch /v3/activations/{id}': {
    seed: '003',
    request: {
      os: 'windows',
      osVersion: 'string',
      fingerprint: 'stringstringstringstringstringstringstringstringstringstringstri',
      vmName: 'string',
      container: true,
      hostname: 'string',
      userHash: 'string',
      productId: 'string',
      accountId: 'string',
      // The seed's example says "string" here, but its own table allows only x.x, x.x.x or x.x.x.x.
      releaseVersion: '1.0.0',
      releaseChannel: 'string',
      releasePlatform: 'string',
      releasePublishedAt: '2019-08-24T14:15:22Z',
      key: 'string',
      userId: 'string',
      leaseDuration: -1,
      metadata: [{ key: 'string', value: 'string' }],
      meterAttributes: [{ name: 'string', usesIncrement: 0 }],
      deviceId: '4de4adb9-21ee-47e3-aeb4-8cf8ed6c109a',
      deviceChallenge: 'string',
      deviceChallengeSignature: 'string',
    },
    responses: { '200': { activationToken: 'string' } },
  },
  'patch /v1/Licenses/{productId}/{licenseId}': {
    seed: '004',
    request: { NewEmail: 'someone@softworkz.com', UserIp: '0.0.0.0', SendDnaEmail: false },
    responses: { '400': { Message: 'Invalid ProductId format' } },
  },
}

type Json = Record<string, any>

const withExample = (media: Json, seed: string, value: unknown): Json => ({ ...media, examples: { ...media.examples, [`seed${seed}`]: { summary: `As seed ${seed} shows it`, value } } })
const inEveryMediaType = (content: Json, seed: string, value: unknown): Json =>
  Object.fromEntries(Object.entries(content).map(([type, media]) => [type, withExample(media as Json, seed, value)]))

/** The operation with the seeds' examples for it, if any. */
export const withSeedExamples = (method: string, path: string, operation: Json): Json => {
  const examples = seedExamples[`${method} ${path}`]
  if (examples === undefined) return operation
  const responses = { ...(operation.responses as Json) }
  for (const [status, value] of Object.entries(examples.responses ?? {})) {
    const response = responses[status] as Json | undefined
    if (response?.content === undefined) throw new Error(`seed ${examples.seed}'s example: ${method} ${path} documents no ${status} with a body`)
    responses[status] = { ...response, content: inEveryMediaType(response.content, examples.seed, value) }
  }
  const requestBody = operation.requestBody as Json | undefined
  if (examples.request !== undefined && requestBody?.content === undefined) throw new Error(`seed ${examples.seed}'s example: ${method} ${path} takes no body`)
  return {
    ...operation,
    ...(examples.request === undefined ? {} : { requestBody: { ...requestBody, content: inEveryMediaType(requestBody!.content, examples.seed, examples.request) } }),
    responses,
  }
}
