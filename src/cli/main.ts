/** The `registry` executable: the only code that ends the process. */
import { processIo } from './io.js';
import { runCli } from './program.js';

const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

const code = await runCli(process.argv.slice(2), processIo());
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
