export type OrderError =
  | { readonly _tag: 'OrderNotFound'; readonly orderId: string }
  | { readonly _tag: 'OrderAlreadyExists'; readonly orderId: string }
  | { readonly _tag: 'UnknownCustomer'; readonly customerId: number }
  | { readonly _tag: 'UnknownProductTemplate'; readonly productTemplateId: number }
