/**
 * Near-duplicate transcripts (the same call imported twice, a scripted call repeated): word
 * shingles, a MinHash signature per text, locality-sensitive hashing to find candidate pairs, and
 * the exact Jaccard similarity of the shingle sets to decide. No package on npm fits (the MinHash
 * ones are unmaintained 0.0.x releases), so it is here, deterministic: fixed seeds, no randomness.
 */

const SHINGLE_WORDS = 5;
const NUM_HASHES = 128;
/** 16 bands of 8 rows: pairs at Jaccard 0.9 become candidates with probability > 0.9999, at 0.5 about 6%. */
const BANDS = 16;
const ROWS = NUM_HASHES / BANDS;

/** 32-bit FNV-1a over UTF-16 code units. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** MurmurHash3's finalizer: mixes a 32-bit value so each seed acts as an independent hash function. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS: readonly number[] = Array.from({ length: NUM_HASHES }, (_, i) => mix(0x9e3779b9 + Math.imul(i + 1, 0x7f4a7c15)));

/** Lower-case word 5-shingles; a text shorter than that is one shingle. Placeholders such as [CARD] count as words. */
export function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/\[[a-z_]+\]|[\p{L}\p{N}']+/gu) ?? [];
  const set = new Set<string>();
  if (words.length <= SHINGLE_WORDS) {
    if (words.length > 0) set.add(words.join(' '));
    return set;
  }
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) set.add(words.slice(i, i + SHINGLE_WORDS).join(' '));
  return set;
}

export function minHashSignature(shingleSet: ReadonlySet<string>): Uint32Array {
  const signature = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (const shingle of shingleSet) {
    const base = fnv1a(shingle);
    for (let i = 0; i < NUM_HASHES; i++) {
      const h = mix(base ^ SEEDS[i]!);
      if (h < signature[i]!) signature[i] = h;
    }
  }
  return signature;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const item of small) if (large.has(item)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/**
 * Keeps one of each group of near-duplicates. `items` must come best first: an item is kept
 * unless it is a near-duplicate (Jaccard >= threshold) of an item already kept, so the better
 * rated call of a pair stays. Returns the kept items and, for each removed one, the item it
 * duplicates.
 */
export function removeNearDuplicates<T>(
  items: readonly T[],
  textOf: (item: T) => string,
  threshold: number,
): { kept: T[]; removed: { item: T; duplicateOf: T; similarity: number }[] } {
  const kept: T[] = [];
  const removed: { item: T; duplicateOf: T; similarity: number }[] = [];
  const keptShingles: Set<string>[] = [];
  const buckets = new Map<string, number[]>();
  for (const item of items) {
    const set = shingles(textOf(item));
    const signature = minHashSignature(set);
    const bandKeys: string[] = [];
    const candidates = new Set<number>();
    for (let band = 0; band < BANDS; band++) {
      const key = `${band}:${Array.from(signature.subarray(band * ROWS, (band + 1) * ROWS)).join(',')}`;
      bandKeys.push(key);
      for (const index of buckets.get(key) ?? []) candidates.add(index);
    }
    let duplicate: { index: number; similarity: number } | undefined;
    for (const index of [...candidates].sort((a, b) => a - b)) {
      const similarity = jaccard(set, keptShingles[index]!);
      if (similarity >= threshold) {
        duplicate = { index, similarity };
        break;
      }
    }
    if (duplicate) {
      removed.push({ item, duplicateOf: kept[duplicate.index]!, similarity: duplicate.similarity });
      continue;
    }
    const index = kept.length;
    kept.push(item);
    keptShingles.push(set);
    for (const key of bandKeys) {
      const bucket = buckets.get(key);
      if (bucket) bucket.push(index);
      else buckets.set(key, [index]);
    }
  }
  return { kept, removed };
}
