export * from './commands.js'
export * from './decider.js'
export * from './events.js'
export * from './profile.js'

export const customerStream = (customerId: number): string => `customer-${customerId}`
