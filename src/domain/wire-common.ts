/** Pieces every wire schema shares (see wire-service.ts for the rules of the wire shape). */
import { z } from 'zod';

/** A Unix time in whole seconds: every timestamp on the wire. */
export const unixSeconds = z.number().int();

/** A string → string map (metadata). */
export const stringMap = z.record(z.string(), z.string());
