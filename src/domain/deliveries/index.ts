export * from './events.js'

/** The stream a role's records go to: appended to, never read as a stream (every node follows them in the log). */
export const deliveriesStream = (role: 'webhooks' | 'mail'): string => `deliveries-${role}`
