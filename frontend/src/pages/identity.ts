// Who this browser is: a name and a colour kept in localStorage, and a client id that is new
// for every page load (the server keys duplicate detection on (client id, seq), and each page
// load starts its seqs at 1).

/** Colours dark enough for white text on them (contrast ≥ 4.5:1) and distinct from each other. */
export const PALETTE = ["#c2185b", "#1565c0", "#2e7d32", "#6a1b9a", "#bf360c", "#00695c", "#4527a0", "#ad1457", "#37474f", "#8d6e00"];

const ADJECTIVES = ["Quick", "Calm", "Bright", "Sly", "Brave", "Merry", "Keen", "Gentle"];
const ANIMALS = ["Otter", "Heron", "Badger", "Lynx", "Puffin", "Marten", "Beaver", "Stoat"];

function randomItem<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

function randomId(bytes: number): string {
  const array = new Uint8Array(bytes);
  crypto.getRandomValues(array);
  return Array.from(array, (b) => b.toString(16).padStart(2, "0")).join("");
}

export interface Me {
  clientId: string;
  name: string;
  color: string;
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function loadMe(): Me {
  const params = new URLSearchParams(location.search);
  const name = params.get("name") ?? stored("otter.name") ?? `${randomItem(ADJECTIVES)} ${randomItem(ANIMALS)}`;
  const color = params.get("color") ?? stored("otter.color") ?? randomItem(PALETTE);
  saveMe(name, color);
  return { clientId: `web-${randomId(8)}`, name, color };
}

export function saveMe(name: string, color: string): void {
  try {
    localStorage.setItem("otter.name", name);
    localStorage.setItem("otter.color", color);
  } catch {
    // private mode: the name lasts for this page only
  }
}

export function suggestDocId(): string {
  return `${randomItem(ADJECTIVES)}-${randomItem(ANIMALS)}-${randomId(2)}`.toLowerCase();
}
