import { type Registration, type RegistrationContext, upsertService } from '../domain/index.js';
import type { WriteTx } from '../store/index.js';
import type { RegisterOutput } from './register.js';

/**
 * Registers by name inside a write: reads the record, upserts it by the domain's rule, and writes
 * the result with its events. For `register`, `register_service` and the configuration's entries.
 */
export async function registerByName(tx: WriteTx, registration: Registration, at: Omit<RegistrationContext, 'revision'>): Promise<RegisterOutput> {
  const existing = await tx.services.get(registration.name);
  const { service, created, events } = upsertService(existing, registration, { now: at.now, newId: at.newId, revision: tx.revision });
  if (service !== existing) await tx.services.put(service);
  for (const event of events) tx.emit(event);
  return { service, created };
}
