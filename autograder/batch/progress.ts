/**
 * Progress of a batch: on a terminal, one bar redrawn in place with the count and an estimate
 * of the time left; elsewhere (CI logs, files), one plain line per finished student.
 */

/** Where progress goes: a stream and whether it is a terminal. */
export interface ProgressOutput {
  write(text: string): void;
  isTTY?: boolean;
  columns?: number;
}

/** "1 h 02 min", "3 min 20 s", "42 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
}

/** Tracks finished students and shows the rest's estimated time. */
export class BatchProgress {
  private done = 0;
  private readonly started = Date.now();

  /**
   * `total` students to grade. The estimate is the wall time per finished student so far (which
   * already reflects how many are graded at once) times the students left.
   */
  constructor(
    private readonly total: number,
    private readonly out: ProgressOutput,
  ) {}

  /** Estimated time left, once one student is done. */
  eta(): number | undefined {
    if (this.done === 0) return undefined;
    const elapsed = Date.now() - this.started;
    return (elapsed / this.done) * (this.total - this.done);
  }

  /** Shows the bar (terminal only) before anyone finished. */
  start(): void {
    if (this.out.isTTY) this.draw("");
  }

  /** Records one finished student: `line` says who, the score and the time taken. */
  finished(line: string): void {
    this.done++;
    const eta = this.eta();
    const left =
      this.done < this.total && eta !== undefined ? `, about ${formatDuration(eta)} left` : "";
    if (this.out.isTTY) this.draw(line);
    else this.out.write(`[${this.done}/${this.total}${left}] ${line}\n`);
  }

  /** Ends the bar's line on a terminal. */
  end(): void {
    if (this.out.isTTY) this.out.write("\n");
  }

  private draw(last: string): void {
    const width = 24;
    const filled = Math.round((this.done / Math.max(1, this.total)) * width);
    const eta = this.eta();
    const bar = `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.done}/${this.total}`;
    const etaText =
      eta === undefined || this.done === this.total ? "" : `  ETA ${formatDuration(eta)}`;
    const lastText = last ? `  ${last}` : "";
    const line = `${bar}${etaText}${lastText}`.slice(
      0,
      Math.max(40, (this.out.columns ?? 100) - 1),
    );
    // Clear the line, then redraw: \r returns to its start, \x1b[K erases what was longer.
    this.out.write(`\r\x1b[K${line}`);
  }
}
