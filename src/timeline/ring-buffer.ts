// A fixed-capacity FIFO that overwrites its oldest item and counts what it dropped.

export class RingBuffer<T> {
  private items: (T | undefined)[];
  private start = 0;
  private length = 0;
  /** Items pushed out by newer ones since creation or the last clear(). */
  dropped = 0;

  constructor(private capacityValue: number) {
    if (!Number.isInteger(capacityValue) || capacityValue < 1) throw new RangeError('capacity must be a positive integer');
    this.items = new Array<T | undefined>(capacityValue);
  }

  get size(): number {
    return this.length;
  }

  get capacity(): number {
    return this.capacityValue;
  }

  push(item: T): void {
    if (this.length < this.capacityValue) {
      this.items[(this.start + this.length) % this.capacityValue] = item;
      this.length++;
    } else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacityValue;
      this.dropped++;
    }
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
