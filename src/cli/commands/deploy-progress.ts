/** Live progress of a deployment: one redrawn line on a terminal, plain lines otherwise. */
import type { DeploymentWire } from '../../domain/index.js';
import type { CliIo } from '../io.js';
import { terminalSafe } from '../terminal-text.js';

const CLEAR_LINE = '\r\u001b[2K';

const bytesText = (n: number): string =>
  n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1024 * 1024)).toFixed(1)} MiB`;

/**
 * Shows each step as it starts and ends (step, bytes uploaded, time since the deployment
 * started). A terminal gets a status line redrawn in place, finished steps above it; a pipe
 * or file gets one line per change.
 */
export class ProgressView {
  readonly #printed = new Set<string>();
  #lastBytes: number | undefined;
  #statusShown = false;

  constructor(private readonly io: CliIo) {}

  get #tty(): boolean {
    return this.io.stdout.isTTY === true;
  }

  show(record: DeploymentWire): void {
    const lines: string[] = [];
    // Steps run one after another: a step starts when the ones before it took their time (wire times are whole seconds).
    let elapsedMs = 0;
    record.steps.forEach((s, index) => {
      const startedMs = elapsedMs;
      elapsedMs += s.duration_ms ?? 0;
      const key = `${index}:${s.status}`;
      if (this.#printed.has(key) || (this.#tty && s.status === 'started')) return;
      this.#printed.add(key);
      const since = `+${((s.status === 'started' ? startedMs : elapsedMs) / 1000).toFixed(1)}s`;
      // A step's message may come from the remote scripts' output: shown escaped, like every server text.
      lines.push(`${since}  ${s.step} ${s.status}${s.message === undefined ? '' : `: ${terminalSafe(s.message)}`}`);
    });
    const bytes = record.uploaded_bytes;
    const total = record.package_bytes ?? 0;
    if (!this.#tty && bytes !== undefined && bytes !== this.#lastBytes && bytes < total) {
      lines.push(`        upload ${bytesText(bytes)} of ${bytesText(total)}`);
    }
    this.#lastBytes = bytes;
    if (this.#tty) this.#clear();
    for (const line of lines) this.io.stdout.write(`${line}\n`);
    if (this.#tty && record.status === 'running') this.#status(record);
  }

  end(): void {
    if (this.#tty) this.#clear();
  }

  #status(record: DeploymentWire): void {
    const current = record.steps.at(-1);
    const upload =
      current?.step === 'upload' && record.uploaded_bytes !== undefined
        ? `  ${bytesText(record.uploaded_bytes)} of ${bytesText(record.package_bytes ?? 0)}`
        : '';
    const elapsed = Math.max(0, Date.now() / 1000 - record.started_at).toFixed(1);
    this.io.stdout.write(terminalSafe(`→ ${record.service} ${record.version} to ${record.node}: ${current?.step ?? 'starting'}${upload}  ${elapsed}s`));
    this.#statusShown = true;
  }

  #clear(): void {
    if (!this.#statusShown) return;
    this.io.stdout.write(CLEAR_LINE);
    this.#statusShown = false;
  }
}
