/** Reading commander's option values without trusting their type, and parsing flag arguments. */
import { InvalidArgumentError } from 'commander';
import { durationMs } from '../domain/index.js';

export type OptionBag = Readonly<Record<string, unknown>>;

export const stringFlag = (bag: OptionBag, key: string): string | undefined => {
  const value = bag[key];
  return typeof value === 'string' ? value : undefined;
};

export const numberFlag = (bag: OptionBag, key: string): number | undefined => {
  const value = bag[key];
  return typeof value === 'number' ? value : undefined;
};

export const booleanFlag = (bag: OptionBag, key: string): boolean | undefined => {
  const value = bag[key];
  return typeof value === 'boolean' ? value : undefined;
};

/** A commander argument parser for whole numbers in a range; a bad value is a usage error that states the range as people write it. */
export const integerIn =
  (min: number, max: number) =>
  (value: string): number => {
    const parsed = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(max >= Number.MAX_SAFE_INTEGER ? `must be a whole number, ${min} or more` : `must be a whole number from ${min} to ${max}`);
    }
    return parsed;
  };

export const portArgument = integerIn(1, 65_535);
export const ttlArgument = integerIn(1, 86_400);

/** A commander argument parser for a lifetime: seconds or a duration (`90`, `15m`, `8h`), as whole seconds of at least 1. */
export function lifetimeArgument(value: string): number {
  const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : durationMs(value);
  if (ms === undefined || ms < 1000 || !Number.isSafeInteger(ms)) throw new InvalidArgumentError('must be seconds or a duration such as "15m" or "8h", of at least one second');
  return Math.floor(ms / 1000);
}
