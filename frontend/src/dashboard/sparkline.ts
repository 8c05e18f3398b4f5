// Ops/s over the last minute, per document, for a small sparkline. Snapshots come only when
// something changed, so samples are irregular: a value holds until the next sample (a step
// line), and the line ends at the latest snapshot's time.
export interface Sample {
  time: number; // ms
  value: number;
}

export class RateHistory {
  private readonly series = new Map<string, Sample[]>();

  constructor(readonly windowMs = 60_000) {}

  /** The values at `time`; series of ids not in `values` are dropped (closed documents). */
  record(time: number, values: Iterable<readonly [string, number]>): void {
    const seen = new Set<string>();
    for (const [id, value] of values) {
      seen.add(id);
      let samples = this.series.get(id);
      if (!samples) this.series.set(id, (samples = []));
      const last = samples[samples.length - 1];
      if (last && last.time > time) continue; // out of order: keep the newer
      if (last && last.value === value) continue; // a flat run needs only its first sample
      samples.push({ time, value });
      // Keep one sample at or before the window's start: it gives the value there.
      while (samples.length >= 2 && samples[1]!.time <= time - this.windowMs) samples.shift();
    }
    for (const id of [...this.series.keys()]) if (!seen.has(id)) this.series.delete(id);
  }

  samples(id: string): readonly Sample[] {
    return this.series.get(id) ?? [];
  }
}

/**
 * An SVG polyline's points ("x,y x,y …") for `samples` as a step line over the window
 * ending at `now`, in a `width` × `height` box (y grows downwards; 0 is the bottom). A
 * history younger than the window spans the whole width (a page open for five seconds
 * shows those five seconds, not a sliver at the right). The scale tops out at the largest
 * value shown, at least 1. Empty if there are no samples.
 */
export function sparklinePoints(samples: readonly Sample[], now: number, windowMs: number, width: number, height: number): string {
  if (samples.length === 0) return "";
  const start = Math.max(now - windowMs, samples[0]!.time);
  const span = now - start;
  const visible = samples.filter((s, i) => s.time >= start || samples[i + 1] === undefined || samples[i + 1]!.time > start);
  const max = Math.max(1, ...visible.map((s) => s.value));
  const x = (t: number): number => (span <= 0 ? 0 : round(((Math.max(start, Math.min(now, t)) - start) / span) * width));
  const y = (v: number): number => round(height - (Math.max(0, v) / max) * height);
  const points: string[] = [];
  visible.forEach((s, i) => {
    if (i > 0) points.push(`${x(s.time)},${y(visible[i - 1]!.value)}`);
    points.push(`${x(s.time)},${y(s.value)}`);
  });
  points.push(`${span <= 0 ? width : x(now)},${y(visible[visible.length - 1]!.value)}`);
  return points.join(" ");
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
