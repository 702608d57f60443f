import { type Clock, RegistryError, systemClock } from '../domain/index.js';
import { DEFAULT_EVENT_RETENTION, DEFAULT_REQUEST_WINDOW_MS, type StoreOptions } from './types.js';

/** StoreOptions with every default filled in. */
export interface ResolvedStoreOptions {
  readonly location: string;
  readonly eventRetention: number;
  readonly clock: Clock;
  readonly onWriteFault: (error: RegistryError) => void;
  readonly requestWindowMs: number;
}

/** Fills in defaults and rejects impossible values once, at open. */
export function resolveStoreOptions(options: StoreOptions): ResolvedStoreOptions {
  const location = options.location;
  if (location.trim() === '') {
    throw new RegistryError('invalid_params', 'the store location is empty', { details: { field: 'location' } });
  }
  const eventRetention = options.eventRetention ?? DEFAULT_EVENT_RETENTION;
  if (!Number.isSafeInteger(eventRetention) || eventRetention < 1) {
    throw new RegistryError('invalid_params', 'eventRetention must be a positive integer', {
      details: { field: 'eventRetention', value: eventRetention },
    });
  }
  const requestWindowMs = options.requestWindowMs ?? DEFAULT_REQUEST_WINDOW_MS;
  if (!Number.isSafeInteger(requestWindowMs) || requestWindowMs < 1) {
    throw new RegistryError('invalid_params', 'requestWindowMs must be a positive integer', {
      details: { field: 'requestWindowMs', value: requestWindowMs },
    });
  }
  const onWriteFault = options.onWriteFault ?? (() => undefined);
  return Object.freeze({ location, eventRetention, clock: options.clock ?? systemClock, onWriteFault, requestWindowMs });
}
