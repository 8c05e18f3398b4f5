// The events feed: which events of a snapshot are new, and how each reads.
//
// Contract
// - Every snapshot carries the last N events, newest last, with no ids. newEvents() finds
//   where the previous list reappears in the next one (the window slides by dropping the
//   oldest): the events after that overlap are new. Identical events (same time, kind,
//   document) are told apart by position, so two real "opened"s in one millisecond both
//   count. If nothing overlaps, every event of the next list is new.
// - describeEvent() is one sentence a person reads (and a screen reader announces).
import type { DashboardEvent } from "../net/dashboard_protocol.js";

function sameEvent(a: DashboardEvent, b: DashboardEvent): boolean {
  return (
    a.time_ms === b.time_ms &&
    a.kind === b.kind &&
    a.doc === b.doc &&
    a.pid === b.pid &&
    a.old_pid === b.old_pid &&
    a.new_pid === b.new_pid &&
    a.reason === b.reason
  );
}

/** The events of `next` that `previous` did not have, oldest first. */
export function newEvents(previous: readonly DashboardEvent[], next: readonly DashboardEvent[]): DashboardEvent[] {
  // The smallest drop d such that previous[d:] is a prefix of next.
  for (let drop = 0; drop < previous.length; drop++) {
    const kept = previous.length - drop;
    if (kept > next.length) continue;
    let matches = true;
    for (let i = 0; i < kept && matches; i++) matches = sameEvent(previous[drop + i]!, next[i]!);
    if (matches) return next.slice(kept);
  }
  return next.slice();
}

export type EventTone = "info" | "good" | "bad";

export interface EventView {
  kind: string;
  tone: EventTone;
  text: string;
}

export function describeEvent(event: DashboardEvent): EventView {
  const doc = event.doc ?? "a process";
  const because = event.reason ? ` (${event.reason})` : "";
  switch (event.kind) {
    case "opened":
      return { kind: event.kind, tone: "info", text: `${doc} opened${event.pid ? ` as ${event.pid}` : ""}` };
    case "closed":
      return { kind: event.kind, tone: "info", text: `${doc} closed` };
    case "crashed":
      return { kind: event.kind, tone: "bad", text: `${doc} crashed${event.pid ? ` (${event.pid})` : ""}${because}` };
    case "restarted": {
      const pids = event.old_pid && event.new_pid ? `: ${event.old_pid} → ${event.new_pid}` : "";
      return { kind: event.kind, tone: "good", text: `${doc} restarted by its supervisor${pids}${because}` };
    }
    case "restart_intensity_exceeded": {
      // No doc: the documents supervisor gave up on its children and was itself restarted.
      const who = event.doc ? `${event.doc} crashed` : "Document processes crashed";
      return { kind: event.kind, tone: "bad", text: `${who} too often: the documents supervisor gave up and was restarted${because}` };
    }
    default:
      return { kind: event.kind, tone: "info", text: `${doc}: ${event.kind}${because}` };
  }
}
