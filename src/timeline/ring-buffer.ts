// A bounded FIFO that overwrites its oldest item and counts what it dropped. Bounded by count and, optionally, by a
// total weight (e.g. characters), so a few huge items cannot hold as much memory as the count limit allows.

export interface RingBufferWeight<T> {
  /** An item's weight; evaluated when it is pushed and again when it leaves (items must not change meanwhile). */
  weigh(item: T): number;
  /** The most the retained items may weigh together; the newest item is kept even when it alone weighs more. */
  max: number;
}

export class RingBuffer<T> {
  private items: (T | undefined)[];
  private start = 0;
  private length = 0;
  private totalWeight = 0;
  /** Items pushed out by newer ones since creation or the last clear(). */
  dropped = 0;

  constructor(
    private capacityValue: number,
    private readonly weighing?: RingBufferWeight<T>,
  ) {
    if (!Number.isInteger(capacityValue) || capacityValue < 1) throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacityValue);
  }

  get size(): number {
    return this.length;
  }

  get capacity(): number {
    return this.capacityValue;
  }

  /** What the retained items weigh together (0 without weighing). */
  get weight(): number {
    return this.totalWeight;
  }

  get maxWeight(): number {
    return this.weighing?.max ?? Infinity;
  }

  push(item: T): void {
    if (this.length === this.capacityValue) this.shift();
    const slot = (this.start + this.length) % this.capacityValue;
    this.items[slot] = item;
    this.length++;
    if (this.weighing) {
      this.totalWeight += this.weighing.weigh(item);
      this.trimTo(this.weighing.max, 1);
    }
  }

  /**
   * Moves the newest item `steps` places towards the oldest (the items it passes move one place newer): an insert
   * near the end in O(steps). Clamped to the items retained.
   */
  moveNewestBack(steps: number): void {
    const cap = this.capacityValue;
    let at = this.length - 1;
    const stop = Math.max(0, at - steps);
    for (; at > stop; at--) {
      const a = (this.start + at) % cap;
      const b = (this.start + at - 1) % cap;
      [this.items[a], this.items[b]] = [this.items[b], this.items[a]];
    }
  }

  /** Drops the oldest item (counted as dropped); false when empty. */
  shift(): boolean {
    if (this.length === 0) return false;
    // Weighed again rather than kept in a parallel array of the capacity's size: weighing is a few string lengths.
    if (this.weighing) this.totalWeight -= this.weighing.weigh(this.items[this.start] as T);
    this.items[this.start] = undefined;
    this.start = (this.start + 1) % this.capacityValue;
    this.length--;
    this.dropped++;
    return true;
  }

  /** Drops the oldest items until the rest weigh at most `weight`, keeping at least `keep` items. */
  trimTo(weight: number, keep = 0): void {
    while (this.totalWeight > weight && this.length > keep) this.shift();
  }

  /** The i-th oldest retained item. */
  at(index: number): T | undefined {
    if (index < 0 || index >= this.length) return undefined;
    return this.items[(this.start + index) % this.capacityValue];
  }

  toArray(): T[] {
    const out: T[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.items[(this.start + i) % this.capacityValue] as T;
    return out;
  }

  clear(): void {
    this.items = new Array<T | undefined>(this.capacityValue);
    this.start = 0;
    this.length = 0;
    this.totalWeight = 0;
    this.dropped = 0;
  }

  /** Changes the capacity, keeping the newest items. */
  resize(capacity: number): void {
    const kept = this.toArray();
    const overflow = Math.max(0, kept.length - capacity);
    const dropped = this.dropped + overflow;
    this.capacityValue = capacity;
    this.clear();
    for (const item of kept.slice(overflow)) this.push(item);
    this.dropped = dropped;
  }
}
