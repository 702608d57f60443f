/**
 * @module service-registry — the library entry: the client, and the domain types and errors it
 * shares with the server. It loads the client only; the server, its store and its native SQLite
 * are `service-registry/server` (src/server/index.ts).
 */
export {
  ConnectionClosedError,
  ConnectionFailedError,
  DEFAULT_LIST_PAGE_SIZE,
  EventStream,
  InvalidArgumentError,
  RegistryClient,
  RequestTimeoutError,
  type ClientOptions,
  type InputFor,
  type ListFilters,
  type ListPaging,
  type OutputFor,
  type StreamedEvent,
  type StreamStatus,
  type SubscribeOptions,
} from './client/index.js';
export {
  type CheckStatus,
  errorCodes,
  eventTypes,
  RegistryError,
  type CheckWire,
  type DeploymentWire,
  type NodeWire,
  type ServicePageWire,
  type ServiceWire,
  type ErrorCode,
  type EventType,
  type ServiceState,
} from './domain/index.js';
