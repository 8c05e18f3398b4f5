// The connection state in words, shared by the editor and the dashboard: "Connected",
// "Connecting…", "Reconnecting (retry in 2 s)", "Offline…". Pure (no DOM).
import type { ConnectionState } from "../net/connection.js";

export function connectionLabel(state: ConnectionState, nextRetryAt: number | null, now: number): string {
  if (state === "connected") return "Connected";
  if (state === "connecting") return "Connecting…";
  const label = state === "offline" ? "Offline" : "Reconnecting";
  const seconds = nextRetryAt === null ? 0 : Math.max(0, Math.ceil((nextRetryAt - now) / 1000));
  return `${label}${seconds > 0 ? ` (retry in ${seconds} s)` : "…"}`;
}
