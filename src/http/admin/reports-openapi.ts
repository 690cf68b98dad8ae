import type { ApiModule } from '../api-module.js'
import { int, json, ref, str } from '../openapi-helpers.js'

const tag = 'Reports'
const parameters = [
  { name: 'activation_key', in: 'query', required: true, schema: str, description: "The license's activation key." },
  { name: 'from', in: 'query', required: true, schema: { type: 'string', format: 'date-time' }, description: 'Start of the period (inclusive).' },
  { name: 'to', in: 'query', required: true, schema: { type: 'string', format: 'date-time' }, description: 'End of the period (exclusive).' },
  { name: 'bucket', in: 'query', required: false, schema: { enum: ['hour', 'day'], default: 'hour' }, description: 'UTC hours or days.' },
  {
    name: 'holders',
    in: 'query',
    required: false,
    schema: { enum: ['true', 'false'], default: 'false' },
    description: 'JSON only: each row also has peak_at, holders (who held the seats then) and seats_allowed (the cap in force at its end).',
  },
]
const holder = { type: 'object', properties: { seat_id: str, client_id: str, machine_id: str, client_name: { type: ['string', 'null'] } }, required: ['seat_id', 'client_id', 'machine_id', 'client_name'] }
const row = {
  type: 'object',
  properties: {
    start: str,
    end: str,
    peak_seats: { ...int, description: 'The most seats held at once.' },
    seat_hours: { type: 'number', description: 'Seat time used, in hours.' },
    grants: int,
    releases: { ...int, description: 'Seats released, or whose token was revoked.' },
    expiries: { ...int, description: 'Seats whose lease ran out, counted when it ran out.' },
    denials: { ...int, description: 'Requests refused because no seat was free, as recorded (at most one per client and machine per minute).' },
    peak_at: { type: ['string', 'null'], description: 'With holders=true: the first instant of the row at which its peak was held (null: no seat held).' },
    holders: { type: 'array', items: holder, description: 'With holders=true: who held the seats at peak_at.' },
    seats_allowed: { type: ['integer', 'null'], description: "With holders=true: the license's activations_allowed in force at the row's end." },
  },
  // The last three only with holders=true.
  required: ['start', 'end', 'peak_seats', 'seat_hours', 'grants', 'releases', 'expiries', 'denials'],
}
const failures = {
  '400': json(ref('AdminError'), 'A parameter is missing or invalid; it is named.'),
  '401': json(ref('AdminError'), 'Missing or invalid credential.'),
  '403': json(ref('AdminError'), 'The credential may not read this license.'),
  '404': json(ref('AdminError'), 'No license has this activation key.'),
}

export const reportsOpenApi: ApiModule['openapi'] = {
  tags: [{ name: tag, description: 'Compliance reports computed from the event log, for any past period.' }],
  schemas: { SeatUsageRow: row },
  paths: {
    '/reports/seat-usage': {
      get: {
        tags: [tag],
        summary: 'Seat usage of a license per hour or day: peak seats, seat-hours, grants, releases, expiries, denials.',
        security: [{ bearer: [] }],
        parameters,
        responses: {
          '200': json({
            type: 'object',
            properties: {
              license: { type: 'object', properties: { order_id: str, activation_key: str } },
              from: str,
              to: str,
              bucket: str,
              rows: { type: 'array', items: ref('SeatUsageRow') },
              totals: { type: 'object' },
            },
          }),
          ...failures,
        },
      },
    },
    '/reports/seat-usage.csv': {
      get: {
        tags: [tag],
        summary: 'The same report as a CSV download (columns: start, end, peak_seats, seat_hours, grants, releases, expiries, denials).',
        security: [{ bearer: [] }],
        parameters,
        responses: { '200': { description: 'CSV', content: { 'text/csv': { schema: str } } }, ...failures },
      },
    },
  },
}
