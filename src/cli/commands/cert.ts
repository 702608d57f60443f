/** `cert ca|issue-client|rotate`: the certificates of the data folder the server serves from. */
import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { grantedRoles, isGrantedRole, RegistryError } from '../../domain/index.js';
import { globalFlags, loadClientConfig, loadSharedConfig } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatFields } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { loadServerModule, localCaPath } from '../server-door.js';

async function readCa(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      throw new RegistryError(
        'not_found',
        `no local CA at ${path}: the server creates it at its first start with this data folder (registry serve)`,
        { cause: error, details: { path } },
      );
    }
    throw error;
  }
}

/** Creates `path` with `text`; refuses to replace a file that exists (a key is not overwritten by accident). */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') {
      throw new RegistryError('invalid_params', `${path} exists; remove it or choose another --out folder`, { cause: error, details: { path } });
    }
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

/** Creates the --out folder like `package build --out` does; a path that cannot be a folder is a usage error. */
async function makeOutFolder(out: string): Promise<void> {
  try {
    await mkdir(out, { recursive: true, mode: 0o700 });
  } catch (error) {
    const reason = error instanceof Error && 'code' in error && error.code === 'EEXIST' ? 'it is a file' : error instanceof Error ? error.message : String(error);
    throw new RegistryError('invalid_params', `--out ${out} cannot be used as a folder: ${reason}`, { cause: error, details: { path: out } });
  }
}

function addIssueClient(cert: Command, io: CliIo): void {
  cert
    .command('issue-client')
    .description('issue an mTLS client certificate signed by the local CA; its role sits in the subject (OU)')
    .argument('<name>', 'the client name (subject CN)')
    .addOption(new Option('--role <role>', 'what the certificate may do').choices(grantedRoles).makeOptionMandatory())
    .option('--out <dir>', 'folder for <name>.pem and <name>-key.pem (created when missing)', '.')
    .action(async (name: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const role = stringFlag(options, 'role');
      if (!isGrantedRole(role)) return; // commander has checked the choices
      const config = await loadSharedConfig(flags, io);
      const { certificateFingerprint, issueClientCertificate } = await loadServerModule();
      const pair = await issueClientCertificate({ dataDir: config.server.dataDir, name, role });
      const out = resolve(io.cwd, stringFlag(options, 'out') ?? '.');
      await makeOutFolder(out);
      const certPath = join(out, `${name}.pem`);
      const keyPath = join(out, `${name}-key.pem`);
      await writeNew(keyPath, pair.keyPem, 0o600);
      await writeNew(certPath, pair.certPem, 0o644);
      const fingerprint = certificateFingerprint(pair.certPem);
      const result = { name, role, cert_path: certPath, key_path: keyPath, fingerprint };
      printAnswer(io, flags.output, result, () => formatFields([['certificate', certPath], ['key', keyPath], ['role', role], ['fingerprint', fingerprint]]));
    });
}

function addRotate(cert: Command, io: CliIo): void {
  cert
    .command('rotate')
    .description('issue a new server certificate from the local CA; a running server uses it for new connections within a second')
    .action(async (_options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const config = await loadSharedConfig(flags, io);
      const files = config.tls.files;
      if (files !== null) {
        throw new RegistryError('invalid_params', `the server serves the certificate files ${files.cert} and ${files.key}: replace those (the server re-reads them when they change)`, {
          details: { cert: files.cert },
        });
      }
      const { certificateFingerprint, certificateNames, rotateServerCertificate } = await loadServerModule();
      const names = await certificateNames({ host: config.server.host, names: config.tls.names });
      const material = await rotateServerCertificate({ dataDir: config.server.dataDir, ...names });
      const fingerprint = certificateFingerprint(material.certPem);
      printAnswer(io, flags.output, { cert_path: material.certPath, key_path: material.keyPath, fingerprint }, () => formatFields([['certificate', material.certPath], ['key', material.keyPath], ['fingerprint', fingerprint]]));
    });
}

export function addCertCommands(program: Command, io: CliIo): void {
  const cert = program.command('cert').description('certificates of the local CA');
  addIssueClient(cert, io);
  addRotate(cert, io);
  cert
    .command('ca')
    .description('print the CA certificate (PEM) clients trust: <data dir>/tls/ca.pem')
    .action(async (_options: OptionBag, command: Command) => {
      const config = await loadClientConfig(globalFlags(command), io);
      const pem = await readCa(await localCaPath(config.server.dataDir));
      // A file the shell appends to, or `cat`s beside another, must not run into the next line.
      io.stdout.write(pem.endsWith('\n') ? pem : `${pem}\n`);
    });
}
