export * from './catalogue.js'
export * from './decider.js'
export * from './events.js'
export * from './settings.js'

export const webhookEndpointStream = (endpointId: string): string => `webhookEndpoint-${endpointId}`
