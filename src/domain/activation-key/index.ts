export * from './decider.js'
export * from './events.js'
export * from './key.js'

export const activationKeyStream = (key: string): string => `activationKey-${key}`
