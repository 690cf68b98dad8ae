export * from './commands.js'
export * from './decider.js'
export * from './events.js'

export const productTemplateStream = (templateId: number): string => `productTemplate-${templateId}`
