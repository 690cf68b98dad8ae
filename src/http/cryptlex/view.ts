// Seed 003's activation as Cryptlex's ActivationDto has it (the official
// OpenAPI document), built on the engine's activation view: location holds
// the address the activation came from (no geolocation is kept; an
// activation made without one has ipAddress ""); organization and user, which
// the engine does not keep, are left out; each metadata entry's id is the
// activation's id and the entry's index, its times the activation's last
// update. An activation made through seed 002 has no os: null.
import type { Activation, ExistingOrder } from '../../domain/order/index.js'
import { activationView } from '../../views/activation.js'

export const cryptlexActivation = (order: ExistingOrder, activation: Activation, productId: string | null, now: Date) => {
  const { organization: _organization, user: _user, location: _location, ...view } = activationView(order, activation, productId, now)
  return {
    ...view,
    hostname: view.hostname ?? activation.clientName ?? '',
    location: { ipAddress: activation.clientAddr ?? '' },
    container: view.container ?? false,
    metadata: view.metadata.map(({ key, value }, index) => ({
      id: `${activation.activationId}-${index}`,
      createdAt: activation.updatedAt,
      updatedAt: activation.updatedAt,
      key,
      value,
    })),
  }
}
