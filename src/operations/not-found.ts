import { RegistryError } from '../domain/index.js';

/** The one answer for a service name that is not registered. */
export const notFound = (name: string): RegistryError =>
  new RegistryError('not_found', `service '${name}' not found`, { details: { name } });
