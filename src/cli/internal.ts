/** For tests only: what the CLI keeps to itself. */
export { SERVICE_ARGUMENT_COMMANDS } from './completion/index.js';
