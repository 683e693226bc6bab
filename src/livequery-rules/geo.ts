// GeoPoint and polygon arithmetic for the geo operators of the LiveQuery matcher, with Parse's validation rules.

type Bag = Record<string, unknown>;

/** A decoded `{__type:'GeoPoint'}`; its coordinates are private so it never deep-equals a plain JSON object with data keys. */
export class GeoPoint {
  readonly #latitude: number;
  readonly #longitude: number;

  constructor(latitude: unknown, longitude: unknown) {
    if (typeof latitude !== 'number' || typeof longitude !== 'number' || Number.isNaN(latitude) || Number.isNaN(longitude)) {
      throw new TypeError('GeoPoint latitude and longitude must be valid numbers');
    }
    if (latitude < -90) throw new TypeError(`GeoPoint latitude out of bounds: ${latitude} < -90.0.`);
    if (latitude > 90) throw new TypeError(`GeoPoint latitude out of bounds: ${latitude} > 90.0.`);
    if (longitude < -180) throw new TypeError(`GeoPoint longitude out of bounds: ${longitude} < -180.0.`);
    if (longitude > 180) throw new TypeError(`GeoPoint longitude out of bounds: ${longitude} > 180.0.`);
    this.#latitude = latitude;
    this.#longitude = longitude;
  }

  get latitude(): number {
    return this.#latitude;
  }
  get longitude(): number {
    return this.#longitude;
  }

  /** Builds a point the way the SDK's GeoPoint constructor reads its one argument (array, object, or nothing → 0,0). */
  static from(value: unknown): GeoPoint {
    if (Array.isArray(value)) return new GeoPoint(value[0], value[1]);
    if (typeof value === 'object') {
      const bag = value as Bag; // null throws here, as property access on null does in the SDK
      return new GeoPoint(bag.latitude, bag.longitude);
    }
    return new GeoPoint(0, 0);
  }

  /** Great-circle distance in radians (haversine). `point` may be any value with latitude/longitude. */
  radiansTo(point: unknown): number {
    const other = point as Bag;
    const toRad = Math.PI / 180;
    const lat1 = this.#latitude * toRad;
    const lng1 = this.#longitude * toRad;
    const lat2 = (other.latitude as number) * toRad;
    const lng2 = (other.longitude as number) * toRad;
    const sinLat = Math.sin((lat1 - lat2) / 2);
    const sinLng = Math.sin((lng1 - lng2) / 2);
    const a = Math.min(1, sinLat * sinLat + Math.cos(lat1) * Math.cos(lat2) * sinLng * sinLng);
    return 2 * Math.asin(Math.sqrt(a));
  }
}

/** A polygon of [latitude, longitude] pairs, validated like the SDK's Polygon. */
export class Polygon {
  readonly coordinates: [number, number][];

  constructor(points: unknown) {
    if (!Array.isArray(points)) throw new TypeError('Coordinates must be an Array');
    if (points.length < 3) throw new TypeError('Polygon must have at least 3 GeoPoints or Points');
    this.coordinates = points.map((p: unknown) => {
      const point = p instanceof GeoPoint ? p : Array.isArray(p) ? new GeoPoint(p[0], p[1]) : null;
      if (!point) throw new TypeError('Coordinates must be an Array of GeoPoints or Points');
      return [point.latitude, point.longitude];
    });
  }

  /** Bounding-box test, then even-odd ray casting; `point` may be any value with latitude/longitude. */
  containsPoint(point: unknown): boolean {
    const p = point as Bag;
    const lat = p.latitude as number;
    const lng = p.longitude as number;
    const lats = this.coordinates.map((c) => c[0]);
    const lngs = this.coordinates.map((c) => c[1]);
    if (lat < Math.min(...lats) || lat > Math.max(...lats) || lng < Math.min(...lngs) || lng > Math.max(...lngs)) {
      return false;
    }
    let inside = false;
    const n = this.coordinates.length;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const [xi, yi] = this.coordinates[i];
      const [xj, yj] = this.coordinates[j];
      const crosses = yi > lng !== yj > lng && lat < ((xj - xi) * (lng - yi)) / (yj - yi) + xi;
      if (crosses) inside = !inside;
    }
    return inside;
  }
}
