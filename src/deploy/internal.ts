/** @module deploy/internal — for tests only. */
export { DeploymentJournal } from './journal.js';
export { hostFieldMatches, hostKeyPolicy, knownHostKeys, knownHostsName, parsePublicKey } from './host-key.js';
export { inspectCommand, layoutFor, parseInspection, portVariable, scriptCommand, switchCommand, unpackCommand, versionOfTarget } from './remote.js';
export { joinShell, posixCommand, sh, shellWords } from './shell.js';
export { findTarget, releaseHistory } from './target.js';
export { normaliseEntryPath, pathProblem, resolveInside, type Tree, type TreeEntry, treeProblems } from './tree.js';
