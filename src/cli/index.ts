/** @module cli — the `registry` command line, built on the client library. */
export { buildProgram, runCli } from './program.js';
export { type CliIo, processIo } from './io.js';
export { describeError, EXIT, exitCodeFor } from './exit-codes.js';
export { formatAge, formatFields, formatTable, formatTime } from './format.js';
