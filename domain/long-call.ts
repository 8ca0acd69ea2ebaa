import { CallNotesSchema, countSentences, type ActionItem, type CallNotes, type Outcome } from './notes.ts';
import { estimateTokens, turnLine, type Transcript, type Turn } from './transcript.ts';

/**
 * Calls of any length: a transcript over the model's budget is split on turn boundaries, each part
 * gets its own notes, and the part notes are merged into one result valid against CallNotesSchema.
 */

/** Turns of the previous part repeated at the start of the next, so the model sees what was being discussed. */
const OVERLAP_TURNS = 2;
const MAX_TOPICS = 5;
const MAX_ACTION_ITEMS = 20;
const MAX_SUMMARY_SENTENCES = 5;
const MAX_SUMMARY_CHARS = 2000;
/** Same boundary as countSentences, so a summary built from these pieces counts the same way. */
const SENTENCE_BOUNDARY_RE = /(?<=[.!?])\s+(?=[A-Z0-9"'([])/;

// ---------------------------------------------------------------------------------------------
// Split

/**
 * Parts of at most `maxTokens` (estimateTokens of the rendered `Role: text` lines) each, on turn
 * boundaries. A turn longer than the budget becomes several turns of the same role, cut on sentence
 * boundaries. Each part after the first starts with up to the last 2 turns of the previous one.
 */
export function splitTranscript(t: Transcript, maxTokens: number): Transcript[] {
  const minimum = estimateTokens(lineOf({ role: 'customer', text: 'x'.repeat(16) }));
  if (!Number.isInteger(maxTokens) || maxTokens < minimum) {
    throw new RangeError(`maxTokens must be an integer of at least ${minimum}, got ${maxTokens}`);
  }
  const maxChars = maxTokens * 4; // estimateTokens is ceil(chars / 4)
  const turns = t.turns.flatMap((turn) => splitLongTurn(turn, maxChars));
  const lengths = turns.map((turn) => lineOf(turn).length);
  const charsOf = (indexes: number[]): number => indexes.reduce((sum, i) => sum + lengths[i]!, 0) + Math.max(0, indexes.length - 1);

  const parts: number[][] = [];
  let current: number[] = [];
  let fresh = 0; // turns of `current` not repeated from the previous part
  for (let i = 0; i < turns.length; i++) {
    if (fresh > 0 && charsOf([...current, i]) > maxChars) {
      parts.push(current);
      current = current.slice(-OVERLAP_TURNS);
      fresh = 0;
    }
    // the overlap gives way when it would push the next turn over the budget
    while (current.length > 0 && fresh === 0 && charsOf([...current, i]) > maxChars) current = current.slice(1);
    current.push(i);
    fresh++;
  }
  if (current.length > 0) parts.push(current);

  return parts.map((indexes) => ({
    callId: t.callId,
    turns: indexes.map((i) => ({ ...turns[i]! })),
    meta: { ...t.meta, speakerRoles: { ...t.meta.speakerRoles } },
  }));
}

// The `Role: text` lines of prompt.ts, measured uncompacted: compaction only shortens them, so a part
// within budget here is within budget however the prompt renders it.
const lineOf = turnLine;

/** A turn whose line is over the budget, as turns of the same role cut on sentence, then word, boundaries. */
function splitLongTurn(turn: Turn, maxChars: number): Turn[] {
  if (lineOf(turn).length <= maxChars) return [turn];
  const labelChars = lineOf({ ...turn, text: '' }).length;
  // half the budget, so the overlap and a neighbouring turn still fit in the part beside a piece
  const pieceChars = Math.max(16, Math.floor(maxChars / 2) - labelChars);
  const pieces: string[] = [];
  let piece = '';
  for (const unit of turn.text.split(SENTENCE_BOUNDARY_RE).flatMap((sentence) => cutToLength(sentence, pieceChars))) {
    if (piece && piece.length + 1 + unit.length > pieceChars) {
      pieces.push(piece);
      piece = '';
    }
    piece = piece ? `${piece} ${unit}` : unit;
  }
  if (piece) pieces.push(piece);
  return pieces.map((text, i) => (i === 0 ? { ...turn, text } : { role: turn.role, text }));
}

/** A sentence longer than `max` cut on spaces, and a word longer than `max` cut anywhere. */
function cutToLength(sentence: string, max: number): string[] {
  if (sentence.length <= max) return [sentence];
  const out: string[] = [];
  let line = '';
  for (const word of sentence.split(/\s+/).filter(Boolean)) {
    for (let w = word; w.length > 0; w = w.slice(max)) {
      const chunk = w.slice(0, max);
      if (line && line.length + 1 + chunk.length > max) {
        out.push(line);
        line = '';
      }
      line = line ? `${line} ${chunk}` : chunk;
    }
  }
  if (line) out.push(line);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Merge

/** One set of notes from the notes of consecutive parts of a call (in call order). */
export function mergeNotes(parts: CallNotes[]): CallNotes {
  if (parts.length === 0) throw new RangeError('mergeNotes needs the notes of at least one part');
  if (parts.length === 1) return CallNotesSchema.parse(parts[0]);
  const actionItems = mergeActionItems(parts);
  return CallNotesSchema.parse({
    summary: mergeSummary(parts.map((p) => p.summary)),
    topics: mergeTopics(parts.map((p) => p.topics)),
    actionItems,
    outcome: mergeOutcome(parts, actionItems),
  });
}

/** Case-insensitive, ranked by how many parts name them, ties in order of first appearance. */
function mergeTopics(lists: string[][]): string[] {
  const seen = new Map<string, { label: string; parts: number; first: number }>();
  let order = 0;
  for (const list of lists) {
    const inThisPart = new Set<string>();
    for (const raw of list) {
      const label = raw.trim().replace(/\s+/g, ' ');
      const key = label.toLowerCase();
      if (!key) continue;
      const entry = seen.get(key) ?? { label, parts: 0, first: order++ };
      if (!inThisPart.has(key)) entry.parts++;
      inThisPart.add(key);
      seen.set(key, entry);
    }
  }
  return [...seen.values()]
    .sort((a, b) => b.parts - a.parts || a.first - b.first)
    .slice(0, MAX_TOPICS)
    .map((entry) => entry.label);
}

/** Near-identical items of one owner said in several parts are kept once, with the latest due date said. */
function mergeActionItems(parts: CallNotes[]): ActionItem[] {
  const merged: { item: ActionItem; words: Set<string> }[] = [];
  for (const part of parts) {
    for (const item of part.actionItems) {
      const words = contentWords(item.text);
      const same = merged.find((m) => m.item.owner === item.owner && similar(m.words, words));
      if (!same) {
        merged.push({ item: { ...item }, words });
      } else if (item.due !== null) {
        same.item.due = item.due; // a later part restated or moved the date
      }
    }
  }
  return merged.slice(0, MAX_ACTION_ITEMS).map((m) => m.item);
}

const STOP_WORDS = new Set('a an the to of for on in at by and or with will would should can could be is are was it its their his her your my our this that'.split(' '));

function contentWords(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .replace(/[^a-z0-9[\]\s]/g, ' ')
      .split(/\s+/)
      .filter((w) => w && !STOP_WORDS.has(w)),
  );
}

/** Jaccard similarity of content words of at least 0.8 (or identical). */
function similar(a: Set<string>, b: Set<string>): boolean {
  if (a.size === 0 || b.size === 0) return a.size === b.size;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared) >= 0.8;
}

/** The last part's outcome, unless any part escalated, or a part left follow-up work that is still listed. */
function mergeOutcome(parts: CallNotes[], merged: ActionItem[]): Outcome {
  if (parts.some((p) => p.outcome === 'escalated')) return 'escalated';
  const openFollowUp = parts.some((p) => p.outcome === 'follow_up' && p.actionItems.length > 0) && merged.length > 0;
  return openFollowUp ? 'follow_up' : parts[parts.length - 1]!.outcome;
}

/**
 * The first part's opening sentence (the customer's issue), the most informative sentences of the
 * rest in call order, and the last part's final sentence (the outcome), within 5 sentences and 2000 characters.
 */
function mergeSummary(summaries: string[]): string {
  const bySummary = summaries.map(sentencesOf);
  const opening = bySummary[0]![0]!;
  const lastSummary = bySummary[bySummary.length - 1]!;
  const closing = lastSummary[lastSummary.length - 1]!;
  const known = contentWords(`${opening} ${closing}`);
  const middle: { text: string; order: number; score: number }[] = [];
  let order = 0;
  bySummary.forEach((sentences, s) => {
    sentences.forEach((text, k) => {
      order++;
      const isOpening = s === 0 && k === 0;
      const isClosing = s === bySummary.length - 1 && k === sentences.length - 1;
      if (isOpening || isClosing || text === opening || text === closing) return;
      const words = contentWords(text);
      let fresh = 0;
      for (const w of words) if (!known.has(w)) fresh++;
      middle.push({ text, order, score: fresh });
    });
  });

  const chosen: typeof middle = [];
  const covered = new Set(known);
  for (const candidate of [...middle].sort((a, b) => b.score - a.score || a.order - b.order)) {
    if (chosen.length >= MAX_SUMMARY_SENTENCES - 2) break;
    const words = contentWords(candidate.text);
    let fresh = 0;
    for (const w of words) if (!covered.has(w)) fresh++;
    // a sentence must add something the summary does not say yet
    if (fresh < 3 && fresh < words.size / 2) continue;
    chosen.push(candidate);
    for (const w of words) covered.add(w);
  }
  chosen.sort((a, b) => a.order - b.order);

  let middleTexts = chosen.map((c) => c.text);
  const join = (): string => [opening, ...middleTexts, ...(closing === opening ? [] : [closing])].join(' ');
  let summary = join();
  while ((summary.length > MAX_SUMMARY_CHARS || countSentences(summary) > MAX_SUMMARY_SENTENCES) && middleTexts.length > 0) {
    // drop the least informative middle sentence first
    const weakest = chosen.filter((c) => middleTexts.includes(c.text)).sort((a, b) => a.score - b.score)[0]!;
    middleTexts = middleTexts.filter((text) => text !== weakest.text);
    summary = join();
  }
  if (summary.length > MAX_SUMMARY_CHARS) {
    const half = Math.floor((MAX_SUMMARY_CHARS - 1) / 2);
    summary = closing === opening ? clip(opening, MAX_SUMMARY_CHARS) : `${clip(opening, half)} ${clip(closing, half)}`;
  }
  return summary;
}

function sentencesOf(summary: string): string[] {
  const sentences = summary
    .trim()
    .split(SENTENCE_BOUNDARY_RE)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/[.!?]["')\]]*$/.test(s) ? s : `${s}.`));
  return sentences.length > 0 ? sentences : ['No summary.'];
}

/** A sentence cut to `max` characters on a word boundary, still ending as a sentence. */
function clip(sentence: string, max: number): string {
  if (sentence.length <= max) return sentence;
  const cut = sentence.slice(0, max - 1);
  const atSpace = cut.lastIndexOf(' ');
  return `${(atSpace > max / 2 ? cut.slice(0, atSpace) : cut).replace(/[\s,;:.!?]+$/, '')}.`;
}
