/** @module cli/completion — completion scripts for bash, zsh and fish, generated from the program. */
import type { Command } from 'commander';
import { bashScript } from './bash.js';
import { fishScript } from './fish.js';
import { completionSpec } from './spec.js';
import { zshScript } from './zsh.js';

export { SERVICE_ARGUMENT_COMMANDS } from './spec.js';

export const completionShells = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof completionShells)[number];

const scripts = { bash: bashScript, zsh: zshScript, fish: fishScript } as const;

/** The completion script of `program` for `shell`. */
export const completionScript = (shell: CompletionShell, program: Command): string => scripts[shell](completionSpec(program));
