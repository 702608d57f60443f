/**
 * @module service-registry — the public library API: the client, the server, configuration
 * loading, and the domain types and errors they share.
 */
export {
  ConnectionClosedError,
  ConnectionFailedError,
  EventStream,
  InvalidArgumentError,
  RegistryClient,
  RequestTimeoutError,
  type ClientOptions,
  type InputFor,
  type OutputFor,
  type StreamedEvent,
  type StreamStatus,
  type SubscribeOptions,
} from './client/index.js';
export { ConfigError, defaultConfigPath, loadConfig, type RegistryConfig } from './config/index.js';
export {
  type CheckStatus,
  errorCodes,
  eventTypes,
  RegistryError,
  type ServiceCheck,
  type ErrorCode,
  type EventType,
  type RegistryEvent,
  type Service,
  type ServiceState,
} from './domain/index.js';
export { createLogger, startServer, type RegistryServer, type ServerOptions } from './server/index.js';
