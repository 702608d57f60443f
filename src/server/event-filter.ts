import { type CommittedEvent, eventServiceName, type EventType } from '../domain/index.js';

const globToRegExp = (glob: string): RegExp =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\-]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/** Which events a subscription wants: by type, and by service name glob when any are given. */
export class EventFilter {
  private readonly types: ReadonlySet<EventType>;
  private readonly names: readonly RegExp[];

  constructor(types: readonly EventType[], globs: readonly string[]) {
    this.types = new Set(types);
    this.names = globs.map(globToRegExp);
  }

  matches(event: CommittedEvent): boolean {
    if (!this.types.has(event.type)) return false;
    if (this.names.length === 0) return true;
    const name = eventServiceName(event);
    return name !== undefined && this.names.some((re) => re.test(name));
  }
}

/** Events in commit order: by revision, then position within it. */
export const isAfter = (event: CommittedEvent, revision: number, index: number): boolean =>
  event.revision > revision || (event.revision === revision && event.index > index);
