/** `package build DIR` and `package inspect FILE`: the package format of README "Deployment", on this host. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { VerifiedPackage } from '../../server/index.js';
import { globalFlags } from '../connection.js';
import { type OptionBag, stringFlag } from '../flags.js';
import { formatFields, formatTable } from '../format.js';
import type { CliIo } from '../io.js';
import { printAnswer } from '../output.js';
import { loadServerModule } from '../server-door.js';

const durationText = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

/** What a package holds, for people. */
export function describePackage(pkg: VerifiedPackage): string {
  const { manifest } = pkg;
  const ports = manifest.service.ports.map((p) => `${p.name} ${p.port}/${p.protocol}`).join(', ');
  const health = manifest.health;
  const summary = formatFields([
    ['package', pkg.tarball],
    ['name', manifest.name],
    ['version', manifest.version],
    ['description', manifest.description],
    ['type', manifest.service.type],
    ['ports', ports === '' ? 'none' : ports],
    ['depends on', manifest.depends_on.length === 0 ? undefined : manifest.depends_on.join(', ')],
    ['requires', [...manifest.requires.commands, ...manifest.requires.libraries].join(', ') || 'nothing'],
    [
      'health',
      pkg.healthScript !== undefined
        ? `${pkg.healthScript} (every ${durationText(health?.interval ?? 1000)}, up to ${durationText(health?.timeout ?? 30_000)})`
        : 'TCP connection to the ports',
    ],
    ['install script', pkg.hasInstallScript ? 'scripts/install.sh' : 'none'],
    ['size', `${pkg.bytes} bytes, ${pkg.entries} entries`],
    ['sha256', pkg.sha256],
  ]);
  const files = formatTable(
    ['SHA256', 'FILE'],
    pkg.files.map((f) => [f.sha256, f.path]),
  );
  return `${summary}\n\n${files}`;
}

/** A package as `--json` prints it: snake_case like every other answer (the manifest already is). */
const packageAnswer = (pkg: VerifiedPackage) => ({
  tarball: pkg.tarball,
  bytes: pkg.bytes,
  sha256: pkg.sha256,
  entries: pkg.entries,
  has_install_script: pkg.hasInstallScript,
  ...(pkg.healthScript === undefined ? {} : { health_script: pkg.healthScript }),
  manifest: pkg.manifest,
  files: pkg.files,
});

export function addPackageCommands(program: Command, io: CliIo): void {
  const pkg = program.command('package').description('build and check service packages (manifest.yaml, bin/, scripts/)');

  pkg
    .command('build')
    .description('write <name>-<version>.tar.gz from a package folder, with a SHA256SUMS list of every file')
    .argument('<dir>', 'the package folder (manifest.yaml, scripts/start.sh, scripts/stop.sh, …)')
    .option('--out <dir>', 'where to write the tarball (default: the current folder)')
    .action(async (dir: string, options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const outDir = resolve(io.cwd, stringFlag(options, 'out') ?? '.');
      const { buildPackage } = await loadServerModule();
      const built = await buildPackage(resolve(io.cwd, dir), outDir);
      printAnswer(io, flags.output, packageAnswer(built), () => `built ${built.tarball} (${built.manifest.name} ${built.manifest.version}, ${built.files.length} files, sha256 ${built.sha256})`);
    });

  pkg
    .command('inspect')
    .description('check a package as a deployment would (entries, manifest, checksums) and show what it holds')
    .argument('<file>', 'a <name>-<version>.tar.gz package')
    .action(async (file: string, _options: OptionBag, command: Command) => {
      const flags = globalFlags(command);
      const { verifyPackage } = await loadServerModule();
      const verified = await verifyPackage(resolve(io.cwd, file));
      printAnswer(io, flags.output, packageAnswer(verified), () => describePackage(verified));
    });
}
