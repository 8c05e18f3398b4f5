// A tiny helper to build DOM without innerHTML (so names and ids are never parsed as HTML).
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((event: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(key.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(key, "");
    else if (value !== false) el.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) el.append(child);
  }
  return el;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => [...w][0]!.toUpperCase()).join("") || "?";
}

export function avatar(name: string, color: string): HTMLElement {
  return h("span", { class: "avatar", style: `background:${color}`, "aria-hidden": "true" }, initials(name));
}

/** The shared top bar: brand, an optional title, then whatever the page adds. */
export function topbar(...children: Child[]): HTMLElement {
  return h("header", { class: "topbar" }, h("a", { class: "brand", href: "/" }, "🦦 Otter"), ...children);
}

export function relativeTime(ms: number, now = Date.now()): string {
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(ms).toLocaleDateString();
}

/**
 * Makes `parent`'s children exactly `elements`, in this order, moving only the ones out of
 * place: a kept element is never detached unless it moves, so focus inside it survives.
 */
export function placeChildren(parent: Element, elements: readonly Element[]): void {
  elements.forEach((element, i) => {
    const at = parent.children[i];
    if (at !== element) parent.insertBefore(element, at ?? null);
  });
  while (parent.children.length > elements.length) parent.lastElementChild!.remove();
}

/** Sets `element`'s text only if it differs (no needless mutations for live regions). */
export function setText(element: Element, text: string): void {
  if (element.textContent !== text) element.textContent = text;
}

/** Restarts a CSS animation named by `className` (removing and re-adding the class). */
export function replayAnimation(element: HTMLElement, className: string): void {
  element.classList.remove(className);
  void element.offsetWidth; // a reflow, so re-adding the class starts the animation again
  element.classList.add(className);
}
