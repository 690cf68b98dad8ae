export * from './decider.js'
export * from './events.js'

export const idempotencyStream = (scope: string): string => `idempotency-${scope}`
