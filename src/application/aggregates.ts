// The aggregates as the command handler loads them.
import { IdempotencyEvent, idempotencyDecider, type IdempotencyState } from '../domain/idempotency/index.js'
import { ApiKeyEvent, apiKeyDecider, type ApiKeyState } from '../domain/api-key/index.js'
import { ActivationKeyEvent, activationKeyDecider, type ActivationKeyState } from '../domain/activation-key/index.js'
import { CustomerEvent, customerDecider, type CustomerState } from '../domain/customer/index.js'
import { OrderEvent, orderDecider, type OrderState } from '../domain/order/index.js'
import { ProductTemplateEvent, productTemplateDecider, type ProductTemplateState } from '../domain/product-template/index.js'
import { SequenceEvent, sequenceDecider } from '../domain/sequence/index.js'
import { WebhookEndpointEvent, webhookEndpointDecider, type WebhookEndpointState } from '../domain/webhook-endpoint/index.js'
import { LockoutEvent, lockoutDecider, type LockoutState } from '../domain/lockout/index.js'
import { ProductEvent, productDecider, type ProductState } from '../domain/product/index.js'
import type { AggregateType } from './aggregate.js'

export const OrderAggregate: AggregateType<OrderState, OrderEvent> = {
  name: 'order',
  initialState: orderDecider.initialState,
  evolve: orderDecider.evolve,
  codec: OrderEvent,
}

export const CustomerAggregate: AggregateType<CustomerState, CustomerEvent> = {
  name: 'customer',
  initialState: customerDecider.initialState,
  evolve: customerDecider.evolve,
  codec: CustomerEvent,
}

export const ProductTemplateAggregate: AggregateType<ProductTemplateState, ProductTemplateEvent> = {
  name: 'productTemplate',
  initialState: productTemplateDecider.initialState,
  evolve: productTemplateDecider.evolve,
  codec: ProductTemplateEvent,
}

export const ActivationKeyAggregate: AggregateType<ActivationKeyState, ActivationKeyEvent> = {
  name: 'activationKey',
  initialState: activationKeyDecider.initialState,
  evolve: activationKeyDecider.evolve,
  codec: ActivationKeyEvent,
}

export const SequenceAggregate: AggregateType<number, SequenceEvent> = {
  name: 'sequence',
  initialState: sequenceDecider.initialState,
  evolve: sequenceDecider.evolve,
  codec: SequenceEvent,
}

export const ApiKeyAggregate: AggregateType<ApiKeyState, ApiKeyEvent> = {
  name: 'apiKey',
  initialState: apiKeyDecider.initialState,
  evolve: apiKeyDecider.evolve,
  codec: ApiKeyEvent,
}

export const IdempotencyAggregate: AggregateType<IdempotencyState, IdempotencyEvent> = {
  name: 'idempotency',
  initialState: idempotencyDecider.initialState,
  evolve: idempotencyDecider.evolve,
  codec: IdempotencyEvent,
}

export const WebhookEndpointAggregate: AggregateType<WebhookEndpointState, WebhookEndpointEvent> = {
  name: 'webhookEndpoint',
  initialState: webhookEndpointDecider.initialState,
  evolve: webhookEndpointDecider.evolve,
  codec: WebhookEndpointEvent,
}

export const ProductAggregate: AggregateType<ProductState, ProductEvent> = {
  name: 'product',
  initialState: productDecider.initialState,
  evolve: productDecider.evolve,
  codec: ProductEvent,
}

export const LockoutAggregate: AggregateType<LockoutState, LockoutEvent> = {
  name: 'lockout',
  initialState: lockoutDecider.initialState,
  evolve: lockoutDecider.evolve,
  codec: LockoutEvent,
}
