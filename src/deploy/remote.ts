import { PACKAGE_VERSION_PATTERN } from '../domain/index.js';
import { HEALTH_SCRIPT, MANIFEST_FILE } from './manifest.js';
import { joinShell, posixCommand, sh, ShellText } from './shell.js';

/**
 * The commands run on a node, and the folder layout they work in:
 * `<install_dir>/<name>/releases/<version>`, `current` → `releases/<version>`, and `.incoming/`
 * for uploads. Every value is quoted by `sh`; names and versions were validated before.
 */

export interface Layout {
  readonly base: string;
  readonly releases: string;
  readonly current: string;
  readonly incoming: string;
}

export function layoutFor(installDir: string, service: string): Layout {
  const base = `${installDir.replace(/\/+$/, '')}/${service}`;
  return { base, releases: `${base}/releases`, current: `${base}/current`, incoming: `${base}/.incoming` };
}

export const releaseDir = (layout: Layout, version: string): string => `${layout.releases}/${version}`;
export const uploadPath = (layout: Layout, deploymentId: string): string => `${layout.incoming}/${deploymentId}.tar.gz`;

/** Commands every deployment needs on the node besides the package's own. */
export const BASE_COMMANDS = ['tar', 'gzip', 'readlink', 'sha256sum'] as const;

export interface Inspection {
  readonly missingCommands: readonly string[];
  readonly missingLibraries: readonly string[];
  /** The version `current` points at, when it points at a release. */
  readonly current: string | undefined;
  /** Where `current` points, as written, when it exists. */
  readonly currentTarget: string | undefined;
}

/** Prints `missing-command X`, `missing-library Y` and `current <link>` lines. */
export function inspectCommand(layout: Layout, requires: { readonly commands: readonly string[]; readonly libraries: readonly string[] }): string {
  const commands = [...new Set([...BASE_COMMANDS, ...requires.commands])].map(
    (c) => sh`command -v ${c} >/dev/null 2>&1 || echo ${`missing-command ${c}`}`,
  );
  const libraries = requires.libraries.map(
    (l) => sh`{ /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -qF -- ${l} || echo ${`missing-library ${l}`}`,
  );
  const current = sh`if [ -L ${layout.current} ]; then printf 'current %s\\n' "$(readlink ${layout.current})"; fi`;
  return posixCommand(joinShell([...commands, ...libraries, current], '; '));
}

export function parseInspection(stdout: string): Inspection {
  const lines = stdout.split('\n');
  const after = (prefix: string): string[] => lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length).trim());
  const currentTarget = after('current ')[0];
  return {
    missingCommands: after('missing-command '),
    missingLibraries: after('missing-library '),
    current: currentTarget === undefined ? undefined : versionOfTarget(currentTarget),
    currentTarget,
  };
}

/** `releases/1.2.0` (or an absolute path ending so) → `1.2.0`. */
export function versionOfTarget(target: string): string | undefined {
  const match = /(?:^|\/)releases\/([^/]+)\/?$/.exec(target);
  const version = match?.[1];
  return version !== undefined && PACKAGE_VERSION_PATTERN.test(version) ? version : undefined;
}

export const prepareUploadCommand = (layout: Layout): string => posixCommand(sh`mkdir -p ${layout.incoming} ${layout.releases}`);

/** Prints the sha256 of the uploaded package, to compare with the one verified here. */
export const uploadHashCommand = (layout: Layout, deploymentId: string): string => posixCommand(sh`sha256sum ${uploadPath(layout, deploymentId)}`);

/** Unpacks into a hidden folder first, then renames it into place; the upload is removed. */
export function unpackCommand(layout: Layout, version: string, deploymentId: string): string {
  const partial = `${layout.releases}/.partial-${deploymentId}`;
  const target = releaseDir(layout, version);
  const upload = uploadPath(layout, deploymentId);
  return posixCommand(
    joinShell(
      [
        sh`set -e`,
        sh`rm -rf ${partial}`,
        sh`mkdir -p ${partial}`,
        sh`tar -xzf ${upload} -C ${partial} --no-same-owner`,
        sh`rm -rf ${target}`,
        sh`mv ${partial} ${target}`,
        sh`rm -f ${upload}`,
      ],
      '; ',
    ),
  );
}

/** Points `current` at the release atomically: a new link beside it, renamed over it. */
export function switchCommand(layout: Layout, version: string, deploymentId: string): string {
  const next = `${layout.base}/.current-${deploymentId}`;
  return posixCommand(sh`ln -sfn ${`releases/${version}`} ${next} && mv -T ${next} ${layout.current}`);
}

export const unlinkCurrentCommand = (layout: Layout): string => posixCommand(sh`rm -f ${layout.current}`);

export interface ScriptEnv {
  readonly service: string;
  readonly version: string;
  readonly deploymentId: string;
  readonly ports: readonly { readonly name: string; readonly port: number }[];
}

/** `http-api` → `PORT_HTTP_API`. */
export const portVariable = (name: string): string => `PORT_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

function environment(layout: Layout, env: ScriptEnv): ShellText {
  const pairs: [string, string][] = [
    ['SERVICE_NAME', env.service],
    ['SERVICE_VERSION', env.version],
    ['SERVICE_DIR', layout.base],
    ['RELEASE_DIR', releaseDir(layout, env.version)],
    ['DEPLOYMENT_ID', env.deploymentId],
    ...env.ports.map((p): [string, string] => [portVariable(p.name), String(p.port)]),
  ];
  // Variable names are fixed or derived from validated port names; values are quoted.
  return joinShell(
    pairs.map(([name, value]) => new ShellText(`${name}=${sh`${value}`.text}`)),
    ' ',
  );
}

/** Runs a package script in its release folder, with the deployment's variables and no stdin. */
export function scriptCommand(layout: Layout, script: string, env: ScriptEnv): string {
  return posixCommand(sh`cd ${releaseDir(layout, env.version)} && ${environment(layout, env)} sh ${script} </dev/null`);
}

/** Prints `health-script yes|no`, then the release's manifest. */
export function describeReleaseCommand(layout: Layout, version: string): string {
  const dir = releaseDir(layout, version);
  return posixCommand(
    sh`cd ${dir} && if [ -f ${HEALTH_SCRIPT} ]; then echo 'health-script yes'; else echo 'health-script no'; fi && cat ${MANIFEST_FILE}`,
  );
}
