/** Package deployment over SSH (README "Deployment"): the nodes deployed to and the kept log of deployments. */

/** A package version: letters, digits, '.', '_' and '-', starting with a letter or digit; never rewritten. */
export const PACKAGE_VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A `[[node]]` of the configuration, defaults filled and paths absolute. */
export interface NodeDefinition {
  readonly name: string;
  /** Where SSH connects; a node without one can be listed but not deployed to. */
  readonly host?: string;
  readonly sshUser?: string;
  readonly sshPort: number;
  /** Absolute path of the private key file. */
  readonly sshKey?: string;
  /** The pinned host key, `ssh-ed25519 AAAA…` (exclusive with `knownHosts`). */
  readonly hostKey?: string;
  /** Absolute path of a known_hosts file (exclusive with `hostKey`). */
  readonly knownHosts?: string;
  /** Absolute folder that holds `<name>/releases/<version>` and `<name>/current`. */
  readonly installDir: string;
}

export const deploymentSteps = [
  'verify',
  'connect',
  'check',
  'upload',
  'unpack',
  'stop',
  'switch',
  'install',
  'start',
  'health',
  'register',
  'rollback',
] as const;
export type DeploymentStep = (typeof deploymentSteps)[number];

export const deploymentStatuses = ['running', 'succeeded', 'failed'] as const;
export type DeploymentStatus = (typeof deploymentStatuses)[number];

/** One step as it ran; times are milliseconds since the epoch. */
export interface DeploymentStepRecord {
  readonly step: DeploymentStep;
  readonly status: 'started' | 'succeeded' | 'failed';
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly message?: string;
}

/** Why a deployment failed: the step, the error, and the tail of what the remote command printed. */
export interface DeploymentFailure {
  readonly step: DeploymentStep;
  readonly code: string;
  readonly message: string;
  /** The last part of stdout and stderr of the failing command, when one ran. */
  readonly output?: string;
}

/** A deployment (or a rollback) of one service to one node, as the log keeps it. */
export interface DeploymentRecord {
  readonly id: string;
  readonly kind: 'deploy' | 'rollback';
  readonly node: string;
  readonly service: string;
  /** The version deployed (for a rollback: the version rolled back to). */
  readonly version: string;
  /** The release that was current on the node before, when there was one. */
  readonly previousVersion?: string;
  readonly status: DeploymentStatus;
  readonly startedAt: number;
  readonly finishedAt?: number;
  /** Bytes of the package, and how many reached the node so far. */
  readonly packageBytes?: number;
  readonly uploadedBytes?: number;
  readonly steps: readonly DeploymentStepRecord[];
  readonly failure?: DeploymentFailure;
  /** After a failure past the switch: the release that is current again, when the rollback worked. */
  readonly rolledBackTo?: string;
  /**
   * The id of the server that runs it (`list_members`). A running record is the lock on its
   * (node, service), in the database: a server that dies leaves it to the sweeps, which end it.
   */
  readonly server?: string;
}
