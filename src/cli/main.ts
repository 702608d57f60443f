/**
 * The `registry` executable: the only code that ends the process. `--version` is answered before
 * anything else loads; every other command loads the CLI, whose commands load what they need.
 */
import { asksOnlyVersion, packageVersion } from './version.js';

const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

async function run(argv: readonly string[]): Promise<number> {
  if (asksOnlyVersion(argv)) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const [{ processIo }, { runCli }] = await Promise.all([import('./io.js'), import('./program.js')]);
  return runCli(argv, processIo());
}

const code = await run(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
