/**
 * Fixed-window counter per client address. Counters live only for the current window: when the window
 * rolls over the whole table is dropped, so the server never holds a history of who asked when.
 */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface RateLimiter {
  /** Takes `cost` units for `key`; refused (and nothing taken) when the window's budget would be exceeded. */
  take(key: string, cost?: number): RateLimitDecision;
  /** Number of addresses currently counted (tests). */
  size(): number;
}

export interface RateLimiterOptions {
  limit: number;
  windowMs: number;
  now?: () => number;
}

export function createRateLimiter({ limit, windowMs, now = Date.now }: RateLimiterOptions): RateLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('rate limit must be a positive integer');
  let window = -1;
  let counts = new Map<string, number>();
  return {
    take(key, cost = 1) {
      const time = now();
      const current = Math.floor(time / windowMs);
      if (current !== window) {
        window = current;
        counts = new Map();
      }
      const used = counts.get(key) ?? 0;
      if (used + cost > limit) {
        const retryAfterSeconds = Math.max(1, Math.ceil(((current + 1) * windowMs - time) / 1000));
        return { allowed: false, retryAfterSeconds };
      }
      counts.set(key, used + cost);
      return { allowed: true };
    },
    size() {
      return counts.size;
    },
  };
}

/**
 * The key an address counts against. IPv6 hosts usually hold a whole /64, so they are counted per /64;
 * IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function getClientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...headGroups, ...Array(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => (g || '0').toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
