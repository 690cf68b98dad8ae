export * from './decider.js'
export * from './events.js'

export const apiKeyStream = (keyId: string): string => `apiKey-${keyId}`
export * from './access.js'
