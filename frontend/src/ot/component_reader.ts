// ComponentReader (internal): walks an op's components in pieces of any number of code
// points, so compose and transform can split a component where the other op needs it.
import { codePointLength, utf16IndexAfter } from "./codepoints.js";
import { type Component, isErase, isInsert, isRetain, type Operation } from "./operation.js";

export class ComponentReader {
  private readonly components: readonly Component[];
  private index = 0;
  private taken = 0; // code points of the current component already taken
  private taken16 = 0; // the same, in UTF-16 units (inserts only)
  private length = 0; // code points of the current component

  constructor(op: Operation) {
    this.components = op.components;
    this.enter();
  }

  done(): boolean {
    return this.index >= this.components.length;
  }

  isInsert(): boolean {
    return isInsert(this.current());
  }

  isErase(): boolean {
    return isErase(this.current());
  }

  isRetain(): boolean {
    return isRetain(this.current());
  }

  /** Code points left in the current component. */
  remaining(): number {
    return this.length - this.taken;
  }

  /** Takes `count` (<= remaining()) code points; returns the text for an insert, else "". */
  take(count: number): string {
    const c = this.current();
    let text = "";
    if (typeof c === "string") {
      const end = count === this.remaining() ? c.length : utf16IndexAfter(c, this.taken16, count);
      text = c.slice(this.taken16, end);
      this.taken16 = end;
    }
    this.taken += count;
    if (this.taken === this.length) {
      this.index++;
      this.enter();
    }
    return text;
  }

  takeAll(): string {
    return this.take(this.remaining());
  }

  private current(): Component {
    return this.components[this.index]!;
  }

  private enter(): void {
    this.taken = 0;
    this.taken16 = 0;
    if (this.done()) {
      this.length = 0;
      return;
    }
    const c = this.current();
    this.length = typeof c === "string" ? codePointLength(c) : Math.abs(c);
  }
}
