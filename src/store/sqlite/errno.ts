/** The `code` of a Node or SQLite error (`ENOENT`, `SQLITE_BUSY`), when it has one. */
export const errnoCode = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** An error's message, for a message of ours that gives the reason. */
export const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
