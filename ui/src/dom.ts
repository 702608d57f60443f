/**
 * Building the page: elements and SVG made with the DOM's own constructors, every string placed as
 * a text node. Every string from the server is hostile; nothing here parses HTML, and the page's
 * Content-Security-Policy (`require-trusted-types-for 'script'`) makes the browser refuse it too.
 */

export type Child = Node | string | number | false | null | undefined;
/** Attributes by name; `false`, null and undefined leave one out. */
export type Attributes = Readonly<Record<string, string | number | boolean | null | undefined>>;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Names that would run script or bring in style: never set from here. */
const REFUSED_ATTRIBUTE = /^(on|style$|srcdoc$)/i;

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (REFUSED_ATTRIBUTE.test(name)) throw new Error(`the dashboard never sets the attribute ${name}`);
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(parent: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** An HTML element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** An SVG element with attributes and children. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** Replaces what `parent` shows. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** The element with this id, which index.html provides. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`index.html lacks #${id}`);
  return found;
}

/** A Unix-seconds time as the viewer's local time of day (date too when not today). */
export function clockTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}

/** How long ago a Unix-seconds time was, roughly. */
export function ago(seconds: number | undefined, nowMs: number = Date.now()): string {
  if (seconds === undefined) return '—';
  const delta = Math.max(0, Math.round(nowMs / 1000 - seconds));
  if (delta < 60) return `${delta}s ago`;
  if (delta < 3600) return `${Math.floor(delta / 60)}m ago`;
  if (delta < 86_400) return `${Math.floor(delta / 3600)}h ago`;
  return `${Math.floor(delta / 86_400)}d ago`;
}
