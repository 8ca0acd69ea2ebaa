/**
 * Near-duplicate transcripts (the same call imported twice, a scripted call repeated): word
 * shingles, a MinHash signature per text, locality-sensitive hashing to find candidate pairs, and
 * the exact Jaccard similarity of the shingle sets to decide. No package on npm fits (the MinHash
 * ones are unmaintained 0.0.x releases), so it is here, deterministic: fixed seeds, no randomness.
 *
 * Speed (curation compares tens of thousands of transcripts): a text is reduced once to the sorted
 * FNV-1a hashes of its shingles (no shingle strings are built), signatures are computed on int32
 * values into flat typed arrays, and the LSH buckets are an open hash table over typed arrays whose
 * hits are checked row by row, so a bucket holds exactly the items whose band is equal. The
 * signatures, buckets and decisions are the same as with shingle strings, a `Set` per text and a
 * `Map` keyed by the band's text; the exact Jaccard of a candidate pair is still computed on the
 * shingle strings, built only for the (few) pairs LSH proposes.
 */

const SHINGLE_WORDS = 5;
const NUM_HASHES = 128;
/** 16 bands of 8 rows: pairs at Jaccard 0.9 become candidates with probability > 0.9999, at 0.5 about 6%. */
const BANDS = 16;
const ROWS = NUM_HASHES / BANDS;
/** log2(BANDS): an LSH entry's index is item * BANDS + band. */
const BAND_BITS = 4;
/** Signature values are kept as int32 `value ^ SIGN` so signed comparison orders them as the unsigned values. */
const SIGN = 0x80000000 | 0;
/** The empty signature (0xffffffff in every row) in that representation. */
const EMPTY_ROW = 0x7fffffff;

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

const SEEDS = Int32Array.from({ length: NUM_HASHES }, (_, i) => mix(0x9e3779b9 + Math.imul(i + 1, 0x7f4a7c15)) | 0);

const WORD_RE = /\[[a-z_]+\]|[\p{L}\p{N}']+/gu;

/** Lower-case word 5-shingles; a text shorter than that is one shingle. Placeholders such as [CARD] count as words. */
export function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(WORD_RE) ?? [];
  const set = new Set<string>();
  if (words.length <= SHINGLE_WORDS) {
    if (words.length > 0) set.add(words.join(' '));
    return set;
  }
  for (let i = 0; i + SHINGLE_WORDS <= words.length; i++) set.add(words.slice(i, i + SHINGLE_WORDS).join(' '));
  return set;
}

// Word boundaries of the text being hashed (reused between calls: no allocation per text).
let wordStarts = new Int32Array(1024);
let wordEnds = new Int32Array(1024);

function pushWord(count: number, start: number, end: number): number {
  if (count === wordStarts.length) {
    const starts = new Int32Array(count * 2);
    const ends = new Int32Array(count * 2);
    starts.set(wordStarts);
    ends.set(wordEnds);
    wordStarts = starts;
    wordEnds = ends;
  }
  wordStarts[count] = start;
  wordEnds[count] = end;
  return count + 1;
}

/** [\p{L}\p{N}'] among ASCII characters (the text is lower-cased, so no A-Z). */
const isAsciiWordChar = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 39;

/** The words of `shingles` (the same matches as its expression), as boundaries into `lower`; returns their count. */
function findWords(lower: string): number {
  let count = 0;
  if (/[^\x00-\x7f]/.test(lower)) {
    WORD_RE.lastIndex = 0;
    for (let m = WORD_RE.exec(lower); m !== null; m = WORD_RE.exec(lower)) count = pushWord(count, m.index, m.index + m[0].length);
    return count;
  }
  // ASCII only: the same tokens as WORD_RE, scanned by hand ("[" tries a placeholder first, as the alternation does).
  const length = lower.length;
  let i = 0;
  while (i < length) {
    const c = lower.charCodeAt(i);
    if (c === 91) {
      let j = i + 1;
      while (j < length) {
        const d = lower.charCodeAt(j);
        if ((d >= 97 && d <= 122) || d === 95) j += 1;
        else break;
      }
      if (j > i + 1 && j < length && lower.charCodeAt(j) === 93) {
        count = pushWord(count, i, j + 1);
        i = j + 1;
      } else {
        i += 1;
      }
    } else if (isAsciiWordChar(c)) {
      let j = i + 1;
      while (j < length && isAsciiWordChar(lower.charCodeAt(j))) j += 1;
      count = pushWord(count, i, j);
      i = j;
    } else {
      i += 1;
    }
  }
  return count;
}

/** FNV-1a of words [from, to) joined by single spaces, as int32. */
function hashWords(lower: string, from: number, to: number): number {
  let hash = 0x811c9dc5 | 0;
  for (let w = from; w < to; w++) {
    if (w > from) hash = Math.imul(hash ^ 32, 0x01000193);
    const end = wordEnds[w]!;
    for (let i = wordStarts[w]!; i < end; i++) hash = Math.imul(hash ^ lower.charCodeAt(i), 0x01000193);
  }
  return hash;
}

/**
 * `fnv1a` of each shingle of `shingles(text)` (as int32), sorted, without repeats: everything a
 * MinHash signature of the text depends on, in a few hundred bytes.
 */
export function shingleHashes(text: string): Int32Array {
  const lower = text.toLowerCase();
  const words = findWords(lower);
  if (words === 0) return new Int32Array(0);
  if (words <= SHINGLE_WORDS) return Int32Array.of(hashWords(lower, 0, words));
  const hashes = new Int32Array(words - SHINGLE_WORDS + 1);
  for (let i = 0; i < hashes.length; i++) hashes[i] = hashWords(lower, i, i + SHINGLE_WORDS);
  hashes.sort();
  let unique = hashes.length > 0 ? 1 : 0;
  for (let i = 1; i < hashes.length; i++) if (hashes[i] !== hashes[unique - 1]) hashes[unique++] = hashes[i]!;
  return unique === hashes.length ? hashes : hashes.slice(0, unique);
}

/** One MinHash row's hash of a shingle hash (murmur3's finalizer), as int32 `value ^ SIGN`. */
function rowHash(shingle: number, seed: number): number {
  let h = shingle ^ seed;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h ^ SIGN;
}

/** The MinHash signature of the shingle hashes into out[offset, offset + 128), each row as int32 `value ^ SIGN`. */
function signatureInto(hashes: ArrayLike<number>, out: Int32Array, offset: number): void {
  const count = hashes.length;
  for (let row = 0; row < NUM_HASHES; row++) {
    const seed = SEEDS[row]!;
    let min = EMPTY_ROW;
    for (let k = 0; k < count; k++) {
      const h = rowHash(hashes[k]!, seed);
      if (h < min) min = h;
    }
    out[offset + row] = min;
  }
}

export function minHashSignature(shingleSet: ReadonlySet<string>): Uint32Array {
  const hashes = Int32Array.from(shingleSet, (shingle) => fnv1a(shingle) | 0);
  const rows = new Int32Array(NUM_HASHES);
  signatureInto(hashes, rows, 0);
  return Uint32Array.from(rows, (row) => (row ^ SIGN) >>> 0);
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const item of small) if (large.has(item)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/**
 * The kept items' signatures and LSH buckets, in typed arrays. `candidates` lists the kept items
 * with at least one band (8 rows) equal to a signature's, in the order they were kept.
 */
class SignatureIndex {
  private signatures: Int32Array;
  /** Per LSH entry (item * BANDS + band): the band's hash and the next entry of its bucket chain. */
  private keys: Int32Array;
  private next: Int32Array;
  private heads: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity: number) {
    const items = Math.max(16, capacity);
    this.signatures = new Int32Array(items * NUM_HASHES);
    this.keys = new Int32Array(items * BANDS);
    this.next = new Int32Array(items * BANDS);
    const tableSize = 2 ** Math.ceil(Math.log2(items * BANDS * 2));
    this.heads = new Int32Array(tableSize).fill(-1);
    this.mask = tableSize - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Kept items sharing one of the `bands` (a bit per band) with `signature` (offset `at`), ascending. */
  candidates(signature: Int32Array, at: number, bands: number): number[] {
    const found: number[] = [];
    for (let band = 0; band < BANDS; band++) {
      if ((bands & (1 << band)) === 0) continue;
      const key = bandKey(signature, at + band * ROWS, band);
      for (let entry = this.heads[key & this.mask]!; entry !== -1; entry = this.next[entry]!) {
        if (this.keys[entry] !== key || (entry & (BANDS - 1)) !== band) continue;
        const item = entry >>> BAND_BITS;
        if (sameRows(this.signatures, item * NUM_HASHES + band * ROWS, signature, at + band * ROWS)) found.push(item);
      }
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a - b);
    return found.filter((item, i) => i === 0 || item !== found[i - 1]);
  }

  /** Keeps `signature` (offset `at`) as the next item, in the buckets of `bands` only; returns its index. */
  add(signature: Int32Array, at: number, bands: number): number {
    if (this.count * NUM_HASHES === this.signatures.length) this.grow();
    const item = this.count;
    this.count += 1;
    this.signatures.set(signature.subarray(at, at + NUM_HASHES), item * NUM_HASHES);
    for (let band = 0; band < BANDS; band++) {
      this.link(item * BANDS + band, (bands & (1 << band)) === 0 ? 0 : bandKey(signature, at + band * ROWS, band), (bands & (1 << band)) !== 0);
    }
    return item;
  }

  private link(entry: number, key: number, listed: boolean): void {
    this.keys[entry] = key;
    this.next[entry] = -1;
    if (!listed) return;
    const slot = key & this.mask;
    this.next[entry] = this.heads[slot]!;
    this.heads[slot] = entry;
  }

  private grow(): void {
    const items = (this.signatures.length / NUM_HASHES) * 2;
    const signatures = new Int32Array(items * NUM_HASHES);
    signatures.set(this.signatures);
    const keys = new Int32Array(items * BANDS);
    keys.set(this.keys);
    const listed = this.listedEntries();
    this.signatures = signatures;
    this.keys = keys;
    this.next = new Int32Array(items * BANDS);
    const tableSize = 2 ** Math.ceil(Math.log2(items * BANDS * 2));
    this.heads = new Int32Array(tableSize).fill(-1);
    this.mask = tableSize - 1;
    for (let entry = 0; entry < this.count * BANDS; entry++) this.link(entry, this.keys[entry]!, listed[entry] === 1);
  }

  private listedEntries(): Uint8Array {
    const listed = new Uint8Array(this.count * BANDS);
    for (const head of this.heads) for (let entry = head; entry !== -1; entry = this.next[entry]!) listed[entry] = 1;
    return listed;
  }
}

function bandKey(signature: Int32Array, at: number, band: number): number {
  let hash = Math.imul(band + 1, 0x9e3779b1);
  for (let row = 0; row < ROWS; row++) hash = Math.imul(hash ^ signature[at + row]!, 0x01000193) ^ (hash >>> 15);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash;
}

function sameRows(a: Int32Array, atA: number, b: Int32Array, atB: number): boolean {
  for (let row = 0; row < ROWS; row++) if (a[atA + row] !== b[atB + row]) return false;
  return true;
}

export interface NearDuplicate<T> {
  duplicateOf: T;
  similarity: number;
}

/**
 * Which shingle hashes occur in more than one text: a bit set of hashes seen and one of hashes seen
 * again. A hash may be reported shared when it is not (two hashes on one bit), never the reverse.
 */
class SharedHashes {
  private readonly seen: Uint32Array;
  private readonly again: Uint32Array;
  private readonly shift: number;

  constructor(texts: Iterable<ArrayLike<number>>, total: number) {
    const bits = Math.max(16, Math.ceil(Math.log2(Math.max(1, total) * 8)));
    this.shift = 32 - bits;
    this.seen = new Uint32Array(2 ** (bits - 5));
    this.again = new Uint32Array(2 ** (bits - 5));
    for (const hashes of texts) {
      for (let k = 0; k < hashes.length; k++) {
        const bit = Math.imul(hashes[k]!, 0x9e3779b1) >>> this.shift;
        const word = bit >>> 5;
        const mask = 1 << (bit & 31);
        if ((this.seen[word]! & mask) !== 0) this.again[word]! |= mask;
        else this.seen[word]! |= mask;
      }
    }
  }

  has(hash: number): boolean {
    const bit = Math.imul(hash, 0x9e3779b1) >>> this.shift;
    return (this.again[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }
}

/**
 * Near-duplicate detection one item at a time, best first (`removeNearDuplicates` in steps): an
 * item offered is a near-duplicate (Jaccard >= threshold) of the first kept item LSH proposes
 * that is at least that similar, or else it is kept and later items are compared with it.
 * `items` are all the items that will be offered; `hashesOf` gives an item's `shingleHashes`,
 * `textOf` its text, read only for candidate pairs.
 *
 * A band is only worked out when it can equal another text's: each row's minimum is one shingle
 * (the hash family is a bijection of 32-bit values), so two texts have a row in common only
 * through a shingle they share. A row whose minimum comes from a shingle no other text has ends
 * its band: the rest of the band is not computed, and the band is neither looked up nor bucketed.
 * The candidates are the same as with every band of every text bucketed, for a fraction of the
 * hashing (a third of a transcript's shingles are typically its own: names, numbers, wording).
 * `NearDuplicateFilter.streaming` is for items not all known up front: every band is worked out.
 */
export class NearDuplicateFilter<T> {
  private readonly index: SignatureIndex;
  /** Undefined when the items are not known up front: every hash may be shared. */
  private readonly shared: SharedHashes | undefined;
  private readonly kept: T[] = [];
  private readonly signature = new Int32Array(NUM_HASHES);
  private common = new Int32Array(256);
  private own = new Int32Array(256);

  constructor(
    private readonly threshold: number,
    items: readonly T[] | { capacity: number },
    private readonly hashesOf: (item: T) => ArrayLike<number>,
    private readonly textOf: (item: T) => string,
  ) {
    if ('capacity' in items) {
      this.shared = undefined;
      this.index = new SignatureIndex(items.capacity);
      return;
    }
    let total = 0;
    for (const item of items) total += hashesOf(item).length;
    this.shared = new SharedHashes(
      (function* () {
        for (const item of items) yield hashesOf(item);
      })(),
      total,
    );
    this.index = new SignatureIndex(items.length);
  }

  /** A filter for at most `capacity` items offered as they come (no item known in advance). */
  static streaming<T>(threshold: number, capacity: number, hashesOf: (item: T) => ArrayLike<number>, textOf: (item: T) => string): NearDuplicateFilter<T> {
    return new NearDuplicateFilter(threshold, { capacity }, hashesOf, textOf);
  }

  /** The kept item `item` nearly duplicates, or undefined when `item` is kept. */
  offer(item: T): NearDuplicate<T> | undefined {
    const bands = this.signatureBands(this.hashesOf(item));
    const candidates = bands === 0 ? [] : this.index.candidates(this.signature, 0, bands);
    if (candidates.length > 0) {
      const set = shingles(this.textOf(item));
      for (const index of candidates) {
        const other = this.kept[index]!;
        const similarity = jaccard(set, shingles(this.textOf(other)));
        if (similarity >= this.threshold) return { duplicateOf: other, similarity };
      }
    }
    this.index.add(this.signature, 0, bands);
    this.kept.push(item);
    return undefined;
  }

  /**
   * Fills the signature's rows band by band, stopping a band at its first row whose minimum is a
   * shingle of this text only; returns the bands filled completely (a bit each).
   */
  private signatureBands(hashes: ArrayLike<number>): number {
    if (this.common.length < hashes.length) {
      this.common = new Int32Array(hashes.length * 2);
      this.own = new Int32Array(hashes.length * 2);
    }
    const common = this.common;
    const own = this.own;
    let commonCount = 0;
    let ownCount = 0;
    for (let k = 0; k < hashes.length; k++) {
      const hash = hashes[k]!;
      if (this.shared === undefined || this.shared.has(hash)) common[commonCount++] = hash;
      else own[ownCount++] = hash;
    }
    const signature = this.signature;
    let bands = 0;
    for (let band = 0; band < BANDS; band++) {
      let live = true;
      for (let row = band * ROWS; row < (band + 1) * ROWS && live; row++) {
        const seed = SEEDS[row]!;
        let min = EMPTY_ROW;
        for (let k = 0; k < commonCount; k++) {
          const h = rowHash(common[k]!, seed);
          if (h < min) min = h;
        }
        for (let k = 0; k < ownCount; k++) {
          const h = rowHash(own[k]!, seed);
          if (h < min) {
            live = false;
            break;
          }
        }
        signature[row] = min;
      }
      if (live) bands |= 1 << band;
    }
    return bands;
  }
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
  const entries = items.map((item) => ({ item, hashes: shingleHashes(textOf(item)) }));
  const filter = new NearDuplicateFilter(threshold, entries, (e) => e.hashes, (e) => textOf(e.item));
  const kept: T[] = [];
  const removed: { item: T; duplicateOf: T; similarity: number }[] = [];
  for (const entry of entries) {
    const duplicate = filter.offer(entry);
    if (duplicate) removed.push({ item: entry.item, duplicateOf: duplicate.duplicateOf.item, similarity: duplicate.similarity });
    else kept.push(entry.item);
  }
  return { kept, removed };
}
