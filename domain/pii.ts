import type { Transcript } from './transcript.ts';

/**
 * PII redaction (DESIGN §6): runs before a transcript reaches the model, the store or a dataset.
 *
 * Speech-to-text writes numbers as digits, words or a mix ("four one one one, double one…"), so
 * every run of spoken or written digits is read into one digit string first and judged as a whole
 * (Luhn for cards, length plus nearby words for SSNs, phone numbers, ZIP codes and dates of birth).
 * Written shapes (emails, `(555) 123-4567`, `123-45-6789`, street addresses, dates) are regexes.
 * Context may come from the previous turn: the agent asks "your date of birth?", the customer answers.
 */

export type PiiType = 'CARD' | 'SSN' | 'PHONE' | 'EMAIL' | 'ADDRESS' | 'DOB';
export type PiiCounts = Partial<Record<PiiType, number>>;
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
}
export interface PiiOptions {
  /** What was said just before this text (the previous turn); only its last words are read, as context. */
  precedingText?: string;
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

const UNITS: Record<string, string> = {
  zero: '0', oh: '0', o: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9',
};
const TEENS: Record<string, string> = {
  ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15', sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19',
};
const TENS: Record<string, string> = {
  twenty: '2', thirty: '3', forty: '4', fourty: '4', fifty: '5', sixty: '6', seventy: '7', eighty: '8', ninety: '9',
};
const FILLERS = new Set(['uh', 'um', 'umm', 'uhm', 'uhh', 'er', 'erm', 'ah', 'hmm', 'mm']);
const SPOKEN_SEPARATORS = new Set(['dash', 'hyphen']);
/** Words that are digits only sometimes ("that one, four one one…", "oh, five five five…"). */
const AMBIGUOUS_EDGE = new Set(['one', 'oh', 'o']);

const NUM_WORD = 'zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand';
const DIGIT_WORD = 'zero|oh|one|two|three|four|five|six|seven|eight|nine';
const UNIT_WORD = 'one|two|three|four|five|six|seven|eight|nine';
const TEEN_WORD = 'ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen';
const TENS_WORD = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';

const PLACEHOLDER_RE = /\[[A-Z_]{2,}\]/g;
/** Only what can make or join a number: digits, number words, fillers; anything else between them ends a run. */
const NUMBERISH_RE = new RegExp(
  `\\[[A-Z_]{2,}\\]|\\d+|\\b(?:${[...Object.keys(UNITS), ...Object.keys(TEENS), ...Object.keys(TENS), ...FILLERS, ...SPOKEN_SEPARATORS, 'double', 'triple', 'hundred', 'thousand', 'and'].join('|')})\\b`,
  'gi',
);

// ---------------------------------------------------------------------------------------------
// Context (read in the ~80 characters before a candidate, placeholders removed)

const SSN_CONTEXT_RE = /\b(?:social(?:\s+security)?|ssn|s\s?s\s?n|tax\s+id)\b/i;
const LAST_FOUR_RE = /\blast\s+(?:four|4)\b/i;
const PHONE_CONTEXT_RE =
  /\b(?:phone|cell|mobile|landline|telephone|fax|dial|call\s+(?:me|you|us|him|her|them|back)|callback|call-back|reach\s+(?:me|you|us|him|her)|text\s+me|(?:my|your|his|her|the|a|good|best|contact|home|work|callback)\s+number)\b/i;
const NOT_PHONE_CONTEXT_RE =
  /\b(?:order|ticket|account|acct|confirmation|tracking|reference|ref|case|invoice|claim|policy|serial|model|member|routing|transaction|sku|item|part|id|incident|receipt)\b[^.?!]*$/i;
const ZIP_CONTEXT_RE = /\b(?:zip|postal\s+code|post\s+code)\b/i;
const DOB_STRONG_CONTEXT_RE = /\b(?:date\s+of\s+birth|birth\s*date|born|d\.?\s?o\.?\s?b)\b/i;
const DOB_WEAK_CONTEXT_RE = /\bbirthdays?\b/i;
const DOB_ANY_CONTEXT_RE = /\b(?:date\s+of\s+birth|birth\s*date|born|d\.?\s?o\.?\s?b|birthdays?)\b/i;
const DOB_ANY_CONTEXT_G = new RegExp(DOB_ANY_CONTEXT_RE.source, 'gi');
const EMAIL_CONTEXT_RE = /\b(?:e-?mail|e\s+mail|address|gmail|yahoo|hotmail|outlook)\b/i;

// ---------------------------------------------------------------------------------------------
// Written shapes

const EMAIL_RE = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const TLD = 'com|net|org|edu|gov|mil|io|co|us|uk|ca|info|biz|me|de|fr|au|in|ai|app|dev|us';
const LOCAL_ATOM = '[a-z0-9][a-z0-9_+-]*(?:\\.[a-z0-9_+-]+)*';
const SPOKEN_EMAIL_RE = new RegExp(
  `\\b((?:[a-z0-9][\\s-]+){0,12}${LOCAL_ATOM}(?:\\s+(?:dot|period|underscore|under\\s+score|dash|hyphen|plus)\\s+${LOCAL_ATOM})*)` +
    `(?:\\s+(?:at|@)\\s+|\\s*@\\s*)` +
    `(?:[a-z]\\s+)?[a-z0-9][a-z0-9-]*(?:(?:\\s+(?:dot|period)\\s+|\\.)[a-z0-9][a-z0-9-]*)*?(?:\\s+(?:dot|period)\\s+|\\.)(?:${TLD})\\b`,
  'gi',
);
const SPOKEN_EMAIL_AT_RE = /\bat\b|@/i;
const SPOKEN_EMAIL_DOT_RE = /\bdot\b|\bperiod\b|\.[a-z]{2}/i;
const SPOKEN_LOCAL_TAIL_RE = /(?:\b[a-z0-9]+\s+(?:dot|period|underscore|dash|hyphen|plus)\s+)+[a-z0-9]+\s+$/i;
const STRONG_LOCAL_RE = /\b(?:dot|period|underscore|dash|hyphen|plus)\b|[._+\d-]/i;
const WEBMAIL_RE = /(?:^|\s)(?:g\s?mail|yahoo|hotmail|outlook|aol|icloud|proton\s?mail|live|msn|comcast)\b/i;
const NOT_LOCAL_PART = new Set(
  ('it this that them me us him her you one something everything anything stuff order orders item items purchase bought was is are were ' +
    'look looked looking check checked online website site there here store shop buy ordered sign signed log logged up in on out go went ' +
    'account them those these time home work back over everyone someone people').split(' '),
);

const SSN_RE = /(?<!\d)(?<!\d[ -])(?!000|666|9)\d{3}([ -])(?!00)\d{2}\1(?!0000)\d{4}(?!\d)(?![ -]\d)/g;
const NA_PHONE_RE = /(?<![\d+])(?<!\d[ .-])(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)(?![ .-]\d)/g;
const INTL_PHONE_RE = /(?<![\w+])\+[2-9]\d{0,2}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?!\d)/g;

const STOP_WORDS =
  'the|a|an|to|of|on|in|at|for|by|from|with|my|your|our|their|his|her|its|this|that|these|those|is|are|was|were|be|been|it|i|you|we|they|he|she|me|us|them|and|or|but|so|if|then|than|more|less|other|same|whole|long|hard|easy|extra|different|all|some|any|no|not|just|only|about|over|under|minutes?|hours?|days?|weeks?|months?|years?|times?|dollars?|bucks|cents?|percent|people|items?|things?|ways?|business|calendar|more|right|left|wrong|few|many|much|do|did|does|have|has|had|will|would|can|could|should|got|get|go|went|one|other';
const NAME_WORD = `(?!(?:${STOP_WORDS})\\b)[A-Za-z0-9][A-Za-z0-9'-]*`;
const SUFFIX =
  'street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|circle|cir|highway|hwy|parkway|pkwy|trail|trl|square|sq|loop|plaza|alley|crescent|pike|expressway|freeway|turnpike';
const SUFFIX_GATE_RE = new RegExp(`\\b(?:${SUFFIX})\\b|\\bbox\\b`, 'i');
const HOUSE = `(?:\\d{1,6}[A-Za-z]?|(?:${NUM_WORD})(?:[\\s-]+(?:${NUM_WORD})){0,5})`;
const STREET_RE = new RegExp(
  `\\b${HOUSE}\\s+(?:(?:north|south|east|west|n|s|e|w|ne|nw|se|sw)\\.?\\s+)?(?:${NAME_WORD}\\s+){1,3}?(${SUFFIX})\\b\\.?`,
  'gi',
);
const SHORT_ABBREVIATIONS = new Set(['st', 'rd', 'dr', 'ct', 'pl', 'ln', 'sq']);
const UNIT_RE = new RegExp(
  `,?\\s*(?:apartment|apt\\.?|suite|ste\\.?|unit|#|number|no\\.|floor|fl\\.|building|bldg\\.?|room|rm\\.?)\\s*#?\\s*` +
    `(?:\\d+[A-Za-z]?|[A-Za-z]\\d*|(?:${NUM_WORD})(?:[\\s-]+(?:${NUM_WORD})){0,3}(?:[\\s-]+[A-Za-z])?)\\b`,
  'iy',
);
const STATE_NAMES = [
  'alabama', 'alaska', 'arizona', 'arkansas', 'california', 'colorado', 'connecticut', 'delaware', 'florida', 'georgia', 'hawaii',
  'idaho', 'illinois', 'indiana', 'iowa', 'kansas', 'kentucky', 'louisiana', 'maine', 'maryland', 'massachusetts', 'michigan',
  'minnesota', 'mississippi', 'missouri', 'montana', 'nebraska', 'nevada', 'new hampshire', 'new jersey', 'new mexico', 'new york',
  'north carolina', 'north dakota', 'ohio', 'oklahoma', 'oregon', 'pennsylvania', 'rhode island', 'south carolina', 'south dakota',
  'tennessee', 'texas', 'utah', 'vermont', 'virginia', 'washington', 'west virginia', 'wisconsin', 'wyoming', 'district of columbia',
];
const STATE_CODES =
  'AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC';
/** Case-insensitive spelling of a word inside a case-sensitive regex (state codes must stay upper case). */
const anyCase = (word: string): string => word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
const STATE = `(?:${STATE_NAMES.map(anyCase).join('|')}|${STATE_CODES})`;
const CITY_WORD = `(?!(?:and|but|so|then|because|the|to|is|was|in|it|my)\\b)[A-Za-z][a-z]+`;
const CITY_STATE_RE = new RegExp(`,?\\s+(?:in\\s+)?(?:${CITY_WORD}\\s+){0,2}${CITY_WORD},?\\s+${STATE}\\b`, 'y');
const ZIP = `(?:\\d{5}(?:-\\d{4})?|(?:${DIGIT_WORD})(?:[\\s,-]+(?:${DIGIT_WORD})){4}|(?:${DIGIT_WORD})(?:[\\s,-]+(?:${DIGIT_WORD})){8})`;
const ZIP_AFTER_STATE_RE = new RegExp(`,?\\s+${ZIP}\\b`, 'iy');
const STATE_ZIP_RE = new RegExp(`\\b${STATE},?\\s+(\\d{5}(?:-\\d{4})?)\\b`, 'g');
const ZIP_WRITTEN_RE = /\b(?:zip|postal)(?:\s*code)?(?:\s+is)?[\s:,]*(\d{5}(?:-\d{4})?)\b/gi;
const FIVE_DIGITS_RE = /(?<!\d)\d{5}(?!\d)/;
const PO_BOX_RE = /\b(?:p\.?\s?o\.?\s*box|post\s+office\s+box)\s*#?\s*\d+\b/gi;

const MONTH = 'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec';
const ORDINAL_UNIT = 'first|second|third|fourth|fifth|sixth|seventh|eighth|ninth';
const DAY_WORD =
  `(?:twenty|thirty)[\\s-]?(?:${ORDINAL_UNIT}|${UNIT_WORD})|twentieth|thirtieth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|` +
  `sixteenth|seventeenth|eighteenth|nineteenth|${ORDINAL_UNIT}|${TEEN_WORD}|twenty|thirty|${UNIT_WORD}`;
const DAY = `(?:\\d{1,2}(?:st|nd|rd|th)?|${DAY_WORD})`;
const YEAR_WORD =
  `(?:nineteen|twenty)[\\s-]+(?:(?:${TENS_WORD})(?:[\\s-]+(?:${UNIT_WORD}))?|${TEEN_WORD}|(?:oh|o)[\\s-]+(?:${UNIT_WORD})|hundred)|` +
  `two[\\s-]+thousand(?:[\\s-]+(?:and[\\s-]+)?(?:(?:${TENS_WORD})(?:[\\s-]+(?:${UNIT_WORD}))?|${TEEN_WORD}|${UNIT_WORD}))?`;
const YEAR = `(\\d{4}|'\\d{2}|\\d{2}|${YEAR_WORD})`;
const DATE_SEP = `(?:\\s*,\\s*|\\s+)(?:(?:uh|um|er)\\s*,?\\s+)?`;
const DOB_DATE_RE = new RegExp(
  `\\b(?:` +
    `\\d{1,2}[/.-]\\d{1,2}[/.-](\\d{4}|\\d{2})(?!\\d)` +
    `|(\\d{4})-\\d{1,2}-\\d{1,2}(?!\\d)` +
    `|(?:${MONTH})\\.?${DATE_SEP}(?:the\\s+)?${DAY}\\b(?:${DATE_SEP}(?:of\\s+)?${YEAR}\\b)?` +
    `|(?:the\\s+)?${DAY}(?:\\s+of\\s+|${DATE_SEP})(?:${MONTH})\\b\\.?(?:${DATE_SEP}${YEAR}\\b)?` +
    `|(?:${MONTH})\\.?${DATE_SEP}(\\d{4}|${YEAR_WORD})\\b` +
    `)`,
  'gi',
);

// ---------------------------------------------------------------------------------------------
// Public API

/** Every PII span in `text`, sorted and non-overlapping. */
export function findPii(text: string, options: PiiOptions = {}): PiiSpan[] {
  return new Detector(text, options.precedingText ?? '').run();
}

/** Replaces PII with typed placeholders (`[CARD]`, `[SSN]`…); existing placeholders and `[PII]` tags stay. */
export function redactText(text: string, options: PiiOptions = {}): { text: string; counts: PiiCounts } {
  const counts: PiiCounts = {};
  let current = text;
  // Redact to a fixpoint: a placeholder changes what surrounds it, and redacting the output again must change nothing.
  for (let pass = 0; pass < 6; pass++) {
    const spans = findPii(current, options);
    if (spans.length === 0) break;
    let out = '';
    let at = 0;
    for (const span of spans) {
      out += `${current.slice(at, span.start)}[${span.type}]`;
      at = span.end;
      counts[span.type] = (counts[span.type] ?? 0) + 1;
    }
    current = out + current.slice(at);
  }
  return { text: current, counts };
}

/** Redacts every turn; the previous (redacted) turn is context for the next. Returns a new transcript. */
export function redactTranscript(t: Transcript): { transcript: Transcript; counts: PiiCounts } {
  const counts: PiiCounts = {};
  let preceding = '';
  const turns = t.turns.map((turn) => {
    const redacted = redactText(turn.text, { precedingText: preceding });
    preceding = redacted.text;
    for (const [type, n] of Object.entries(redacted.counts) as [PiiType, number][]) counts[type] = (counts[type] ?? 0) + n;
    return { ...turn, text: redacted.text };
  });
  // Speaker labels can be a caller's name, number or address (WebVTT voices, chat display names).
  const speakerRoles = Object.fromEntries(Object.entries(t.meta.speakerRoles).map(([label, role]) => [redactText(label).text, role]));
  return { transcript: { ...t, turns, meta: { ...t.meta, speakerRoles } }, counts };
}

/** Luhn checksum over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length > 0 && sum % 10 === 0;
}

// ---------------------------------------------------------------------------------------------
// Detection

interface Token {
  kind: 'num' | 'word' | 'mark';
  start: number;
  end: number;
  text: string;
  lower: string;
}

/** One spoken or written number inside a digit run: "4111", "four", "double one", "twenty one". */
interface Part {
  start: number;
  end: number;
  digits: string;
  numeric: boolean;
  word: string;
  /** Zeros a following "fifty" may fill ("two hundred fifty" = 250). */
  pendingZeros: number;
}

interface DigitRun {
  parts: Part[];
  start: number;
  end: number;
  digits: string;
}

const CARD_WINDOW_ORDER = [16, 15, 14, 13, 17, 18, 19];
const LONG_RUN_PARTS = 64;

class Detector {
  private readonly spans: PiiSpan[] = [];
  private readonly context: string;

  constructor(
    private readonly text: string,
    preceding: string,
  ) {
    this.context = preceding.slice(-160);
  }

  run(): PiiSpan[] {
    const { text } = this;
    if (text.includes('@')) this.matchAll(EMAIL_RE, 'EMAIL');
    const runs = this.digitRuns(tokenize(text));
    for (const run of runs) this.findCards(run.parts);
    this.matchAll(SSN_RE, 'SSN');
    this.findWrittenPhones();
    if (SUFFIX_GATE_RE.test(text)) this.findStreetAddresses();
    if (FIVE_DIGITS_RE.test(text)) {
      this.matchGroup(STATE_ZIP_RE, 'ADDRESS', 1);
      this.matchGroup(ZIP_WRITTEN_RE, 'ADDRESS', 1);
    }
    if (DOB_ANY_CONTEXT_RE.test(text) || DOB_ANY_CONTEXT_RE.test(this.context)) this.findDatesOfBirth();
    if (SPOKEN_EMAIL_AT_RE.test(text) && SPOKEN_EMAIL_DOT_RE.test(text)) this.findSpokenEmails();
    for (const run of runs) this.classifyRun(run);
    return this.spans;
  }

  // --- spans

  /** Index of the first span starting at or after `end` (spans are kept sorted and disjoint). */
  private spanIndex(end: number): number {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.spans[mid]!.start < end) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private isFree(start: number, end: number): boolean {
    const before = this.spans[this.spanIndex(end) - 1];
    return before === undefined || before.end <= start;
  }

  private add(type: PiiType, start: number, end: number): boolean {
    if (end <= start || !this.isFree(start, end)) return false;
    this.spans.splice(this.spanIndex(end), 0, { type, start, end });
    return true;
  }

  private matchAll(re: RegExp, type: PiiType): void {
    for (const m of this.text.matchAll(re)) this.add(type, m.index, m.index + m[0].length);
  }

  private matchGroup(re: RegExp, type: PiiType, group: number): void {
    for (const m of this.text.matchAll(re)) {
      const value = m[group];
      if (value) this.add(type, m.index + m[0].lastIndexOf(value), m.index + m[0].lastIndexOf(value) + value.length);
    }
  }

  /** Up to `width` characters said before `pos`, reaching into the previous turn, without placeholders. */
  private before(pos: number, width: number): string {
    const own = this.text.slice(Math.max(0, pos - width), pos);
    const borrowed = pos < width ? `${this.context.slice(-(width - pos))}\n` : '';
    return (borrowed + own).replace(PLACEHOLDER_RE, ' ');
  }

  private after(pos: number, width: number): string {
    return this.text.slice(pos, pos + width).replace(PLACEHOLDER_RE, ' ');
  }

  // --- digit runs

  private digitRuns(tokens: Token[]): DigitRun[] {
    const { text } = this;
    const runs: DigitRun[] = [];
    let parts: Part[] = [];
    let cursor = 0; // end of the last token taken into the current run
    const flush = (): void => {
      if (parts.length > 0) runs.push(toRun(trimInterjection(parts, text)));
      parts = [];
    };
    for (let i = 0; i < tokens.length; ) {
      const token = tokens[i]!;
      if (parts.length > 0 && !onlyJoiningPunctuation(text, cursor, token.start)) flush();
      const last = parts[parts.length - 1];
      const read = token.kind === 'mark' ? undefined : readNumber(text, tokens, i, last !== undefined);
      if (read) {
        if (last && !joins(text, last, read.part)) flush();
        const prev = parts[parts.length - 1];
        if (prev && prev.pendingZeros > 0 && !read.part.numeric && read.part.digits.length <= prev.pendingZeros && canFill(read.part, text.slice(prev.end, read.part.start))) {
          prev.digits = prev.digits.slice(0, prev.digits.length - read.part.digits.length) + read.part.digits;
          prev.end = read.part.end;
          prev.pendingZeros = 0;
        } else {
          parts.push(read.part);
        }
        cursor = read.part.end;
        i = read.next;
        continue;
      }
      if (last && !last.numeric && (token.lower === 'hundred' || token.lower === 'thousand') && onlySpaces(text, last.end, token.start)) {
        const zeros = token.lower === 'hundred' ? 2 : 3;
        last.digits += '0'.repeat(zeros);
        last.end = token.end;
        last.pendingZeros = zeros;
        cursor = token.end;
      } else if (last && isJoiner(token, last)) {
        cursor = token.end;
      } else {
        flush();
      }
      i++;
    }
    flush();
    return runs;
  }

  private findCards(parts: Part[]): void {
    if (parts.length > LONG_RUN_PARTS) return this.findCardsInLongRun(parts);
    if (parts.length === 0) return;
    const total = parts.reduce((n, p) => n + p.digits.length, 0);
    if (total < 13) return;
    const hit = this.cardCandidate(parts, total);
    if (!hit) return;
    const [from, to] = hit;
    this.add('CARD', parts[from]!.start, parts[to]!.end);
    this.findCards(parts.slice(0, from));
    this.findCards(parts.slice(to + 1));
  }

  /** Hundreds of numbers in a row is no card read out; scan it once, left to right, so the cost stays linear. */
  private findCardsInLongRun(parts: Part[]): void {
    for (let a = 0; a < parts.length; a++) {
      let digits = '';
      let found = -1;
      for (let b = a; b < parts.length && digits.length < 19; b++) {
        digits += parts[b]!.digits;
        if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) found = b;
        if (found >= 0 && digits.length >= 16) break;
      }
      if (found >= 0) {
        this.add('CARD', parts[a]!.start, parts[found]!.end);
        a = found;
      }
    }
  }

  /** Part indexes [from, to] of a Luhn-valid 13-19 digit card number in the run, or undefined. */
  private cardCandidate(parts: Part[], total: number): [number, number] | undefined {
    const last = parts.length - 1;
    const isCard = (from: number, to: number): boolean => {
      let digits = '';
      for (let k = from; k <= to; k++) digits += parts[k]!.digits;
      return digits.length >= 13 && digits.length <= 19 && luhnValid(digits);
    };
    // the whole run, then without an interjection-like edge word ("that one, four one one one…")
    const trimStart = last > 0 && AMBIGUOUS_EDGE.has(parts[0]!.word) && /[,.…]|\b(?:uh|um)\b/i.test(this.text.slice(parts[0]!.end, parts[1]!.start)) ? 1 : 0;
    const trimEnd = last > 0 && AMBIGUOUS_EDGE.has(parts[last]!.word) && /[,.…]|\b(?:uh|um)\b/i.test(this.text.slice(parts[last - 1]!.end, parts[last]!.start)) ? 1 : 0;
    for (const [a, b] of [[0, last], [trimStart, last], [0, last - trimEnd], [trimStart, last - trimEnd]] as const) {
      if (a <= b && isCard(a, b)) return [a, b];
    }
    // a written number on its own, or written groups "4111 1111 1111 1111" inside a longer run
    for (let k = 0; k <= last; k++) if (parts[k]!.numeric && isCard(k, k)) return [k, k];
    for (let k = 0; k <= last; ) {
      let end = k;
      while (parts[k]!.numeric && end < last && parts[end + 1]!.numeric && /^[ -]$/.test(this.text.slice(parts[end]!.end, parts[end + 1]!.start))) end++;
      if (end > k && isCard(k, end)) return [k, end];
      if (end > k) {
        const inner = windowSearch(parts, k, end, isCard);
        if (inner) return inner;
      }
      k = end + 1;
    }
    return total > 19 ? windowSearch(parts, 0, last, isCard) : undefined;
  }

  /** SSN, phone, ZIP or date of birth read from a digit run and the words before it. */
  private classifyRun(run: DigitRun): void {
    if (!this.isFree(run.start, run.end) || run.digits.length < 4 || run.digits.length > 11) return;
    const charBefore = this.text.slice(Math.max(0, run.start - 1), run.start);
    const textAfter = this.text.slice(run.end, run.end + 16);
    if (/[$£€]/.test(charBefore) || /^\s*(?:%|dollars?|bucks|cents?|percent|usd|pounds?|euros?)\b/i.test(textAfter) || /^(?::\d|\s*[ap]\.?m\b)/i.test(textAfter)) return;
    const glued = /[A-Za-z]/.test(charBefore) || /^[A-Za-z]/.test(textAfter);
    for (const variant of runVariants(run)) {
      const type = this.classifyDigits(variant, glued);
      if (type) {
        this.add(type, variant.start, variant.end);
        return;
      }
    }
  }

  private classifyDigits(run: DigitRun, glued: boolean): PiiType | undefined {
    const d = run.digits;
    const ctx = this.before(run.start, 80);
    if (d.length === 9 && ssnValid(d) && SSN_CONTEXT_RE.test(ctx)) return 'SSN';
    if (d.length === 4 && LAST_FOUR_RE.test(ctx) && SSN_CONTEXT_RE.test(ctx)) return 'SSN';
    const phoneLength = d.length === 10 || d.length === 7 || (d.length === 11 && d.startsWith('1'));
    const near = this.before(run.start, 28);
    // "order", "ticket"… right before the number win over a "phone" said further back
    const notPhone = NOT_PHONE_CONTEXT_RE.test(near) && !PHONE_CONTEXT_RE.test(near);
    if (phoneLength && PHONE_CONTEXT_RE.test(ctx) && !notPhone) return 'PHONE';
    if ((d.length === 10 || (d.length === 11 && d.startsWith('1'))) && run.parts.length === 1 && run.parts[0]!.numeric && !glued && nanpValid(d.slice(-10)) && !notPhone) {
      return 'PHONE';
    }
    // "oh three one four eight five", "one fourteen eighty five" (1/14/85)
    if (d.length >= 5 && d.length <= 8 && DOB_STRONG_CONTEXT_RE.test(this.before(run.start, 60))) return 'DOB';
    if ((d.length === 6 || d.length === 8) && DOB_WEAK_CONTEXT_RE.test(this.before(run.start, 40))) return 'DOB';
    if ((d.length === 5 || d.length === 9) && ZIP_CONTEXT_RE.test(this.before(run.start, 40))) return 'ADDRESS';
    return undefined;
  }

  // --- written shapes

  private findWrittenPhones(): void {
    for (const m of this.text.matchAll(NA_PHONE_RE)) {
      const formatted = m[0].includes('(') || m[0].startsWith('+');
      if (!formatted && NOT_PHONE_CONTEXT_RE.test(this.before(m.index, 28)) && !PHONE_CONTEXT_RE.test(this.before(m.index, 60))) continue;
      this.add('PHONE', m.index, m.index + m[0].length);
    }
    for (const m of this.text.matchAll(INTL_PHONE_RE)) {
      const digits = m[0].replace(/\D/g, '').length;
      if (digits >= 8 && digits <= 15) this.add('PHONE', m.index, m.index + m[0].replace(/[\s.(-]+$/, '').length);
    }
  }

  private findStreetAddresses(): void {
    const { text } = this;
    for (const m of text.matchAll(STREET_RE)) {
      const suffix = m[1]!;
      if (SHORT_ABBREVIATIONS.has(suffix) && text[m.index + m[0].length] !== '.') continue; // "dr", "st" in lower case are rarely streets
      let end = m.index + m[0].length;
      end = stickyEnd(UNIT_RE, text, end);
      const afterCity = stickyEnd(CITY_STATE_RE, text, end);
      if (afterCity > end) end = stickyEnd(ZIP_AFTER_STATE_RE, text, afterCity);
      this.add('ADDRESS', m.index, end);
    }
    this.matchAll(PO_BOX_RE, 'ADDRESS');
  }

  private findDatesOfBirth(): void {
    const { text } = this;
    // the date regex is costly: run it only around the words that make a date a date of birth
    const windows: [number, number][] = [];
    if (DOB_ANY_CONTEXT_RE.test(this.context)) windows.push([0, 140]);
    for (const m of text.matchAll(DOB_ANY_CONTEXT_G)) windows.push([Math.max(0, m.index - 110), m.index + m[0].length + 140]);
    windows.sort((a, b) => a[0] - b[0]);
    for (let w = 0; w < windows.length; w++) {
      const [from] = windows[w]!;
      let to = windows[w]![1];
      while (w + 1 < windows.length && windows[w + 1]![0] <= to) to = Math.max(to, windows[++w]![1]);
      for (const m of text.slice(from, to).matchAll(DOB_DATE_RE)) {
        const start = from + m.index;
        const end = start + m[0].length;
        if (m.index === 0 && from > 0 && /\w/.test(text[from - 1]!)) continue; // cut mid-word by the window
        const hasYear = m.slice(1).some((g) => g !== undefined);
        const strong = DOB_STRONG_CONTEXT_RE.test(this.before(start, 60)) || DOB_STRONG_CONTEXT_RE.test(this.after(end, 35));
        const weak = DOB_WEAK_CONTEXT_RE.test(this.before(start, 40)) || DOB_WEAK_CONTEXT_RE.test(this.after(end, 30));
        // "my birthday" near a bare month and day is usually a delivery wish, not identity
        if (strong || (weak && hasYear)) this.add('DOB', start, end);
      }
    }
  }

  private findSpokenEmails(): void {
    for (const m of this.text.matchAll(SPOKEN_EMAIL_RE)) {
      const local = m[1]!.trim();
      const strong = STRONG_LOCAL_RE.test(local);
      if (!strong) {
        const words = local.toLowerCase().split(/[\s-]+/);
        const lastWord = words[words.length - 1]!;
        if (words.length === 1 && NOT_LOCAL_PART.has(lastWord)) continue;
        if (!EMAIL_CONTEXT_RE.test(this.before(m.index, 60)) && !WEBMAIL_RE.test(m[0].slice(m[1]!.length))) continue;
      }
      // "sarah underscore lee 88 at…": the regex starts at "88"; take back the spelled words before it
      const back = SPOKEN_LOCAL_TAIL_RE.exec(this.text.slice(Math.max(0, m.index - 80), m.index));
      this.add('EMAIL', m.index - (back ? back[0].length : 0), m.index + m[0].length);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const m of text.matchAll(NUMBERISH_RE)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    const kind = c >= 48 && c <= 57 ? 'num' : c === 91 ? 'mark' : 'word';
    tokens.push({ kind, start: m.index, end: m.index + t.length, text: t, lower: kind === 'word' ? t.toLowerCase() : t });
  }
  return tokens;
}

/** The number starting at token i, with the index after it, or undefined. */
function readNumber(text: string, tokens: Token[], i: number, inRun: boolean): { part: Part; next: number } | undefined {
  const token = tokens[i]!;
  if (token.kind === 'num') return { part: newPart(token, token.text, token.end, true), next: i + 1 };
  const w = token.lower;
  if (w === 'o' && (!inRun || token.text === 'O')) return undefined; // a lone "o" is a letter unless it sits among digits
  if (w === 'oh' && !inRun && token.text === 'Oh') return undefined; // "Oh, okay" opens a sentence, not a number
  const unit = UNITS[w];
  if (unit !== undefined) return { part: newPart(token, unit, token.end), next: i + 1 };
  const teen = TEENS[w];
  if (teen !== undefined) return { part: newPart(token, teen, token.end), next: i + 1 };
  const next = tokens[i + 1];
  const tens = TENS[w];
  if (tens !== undefined) {
    // "twenty one" or "twenty-one", never across a comma: "twenty, one" is two numbers
    const u = next?.kind === 'word' && next.start === token.end + 1 && /[ -]/.test(text[token.end]!) ? UNITS[next.lower] : undefined;
    if (u !== undefined && u !== '0') return { part: newPart(token, tens + u, next!.end), next: i + 2 };
    return { part: newPart(token, `${tens}0`, token.end), next: i + 1 };
  }
  if ((w === 'double' || w === 'triple') && next && onlySpaces(text, token.end, next.start)) {
    const d = next.kind === 'word' ? UNITS[next.lower] : next.kind === 'num' && next.text.length === 1 ? next.text : undefined;
    if (d !== undefined) return { part: newPart(token, d.repeat(w === 'double' ? 2 : 3), next.end), next: i + 2 };
  }
  return undefined;
}

function newPart(token: Token, digits: string, end: number, numeric = false): Part {
  return { start: token.start, end, digits, numeric, word: numeric ? '' : token.lower, pendingZeros: 0 };
}

function isJoiner(token: Token, last: Part): boolean {
  if (token.kind !== 'word') return false;
  return FILLERS.has(token.lower) || SPOKEN_SEPARATORS.has(token.lower) || (token.lower === 'and' && last.pendingZeros > 0);
}

/** "two hundred fifty", "two thousand and five": the small number fills the zeros. */
function canFill(next: Part, gap: string): boolean {
  if (/^\s+and\s+$/i.test(gap)) return true;
  return /^\s+$/.test(gap) && next.digits.length === 2;
}

/** Whether the text between two numbers keeps them in one run: spaces, a comma or dash, "uh". */
function joins(text: string, last: Part, next: Part): boolean {
  if (next.start - last.end > 24) return false;
  const gap = text.slice(last.end, next.start);
  // "5531. 4111…" is two sentences; "555.123.4567" and "four. one. one…" are one number
  return !(gap.includes('.') && /\s/.test(gap) && (last.numeric || next.numeric));
}

/** Characters from..to are spaces and , . - … only (no line break). */
function onlyJoiningPunctuation(text: string, from: number, to: number): boolean {
  if (to - from > 24) return false;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 44 && c !== 46 && c !== 45 && c !== 0x2026 && c !== 0xa0) return false;
  }
  return true;
}

function onlySpaces(text: string, from: number, to: number): boolean {
  if (to <= from) return false;
  for (let k = from; k < to; k++) if (text.charCodeAt(k) !== 32) return false;
  return true;
}

/** Drops a leading "oh," interjection from a run. */
function trimInterjection(parts: Part[], text: string): Part[] {
  if (parts.length > 1 && (parts[0]!.word === 'oh' || parts[0]!.word === 'o') && /[,.…!?]/.test(text.slice(parts[0]!.end, parts[1]!.start))) {
    return parts.slice(1);
  }
  return parts;
}

function toRun(parts: Part[]): DigitRun {
  return { parts, start: parts[0]!.start, end: parts[parts.length - 1]!.end, digits: parts.map((p) => p.digits).join('') };
}

/** The run, then the run without an ambiguous first or last word ("that one, …", "… oh"). */
function runVariants(run: DigitRun): DigitRun[] {
  const variants = [run];
  const n = run.parts.length;
  if (n > 1 && AMBIGUOUS_EDGE.has(run.parts[0]!.word)) variants.push(toRun(run.parts.slice(1)));
  if (n > 1 && AMBIGUOUS_EDGE.has(run.parts[n - 1]!.word)) variants.push(toRun(run.parts.slice(0, -1)));
  return variants;
}

/** The leftmost contiguous parts between from..to forming a card, 16 digits preferred. */
function windowSearch(parts: Part[], from: number, to: number, isCard: (a: number, b: number) => boolean): [number, number] | undefined {
  const windows: [number, number, number][] = [];
  for (let a = from; a <= to; a++) {
    let length = 0;
    for (let b = a; b <= to && length <= 19; b++) {
      length += parts[b]!.digits.length;
      if (length >= 13 && length <= 19) windows.push([a, b, length]);
    }
  }
  for (const wanted of CARD_WINDOW_ORDER) {
    for (const [a, b, length] of windows) if (length === wanted && isCard(a, b)) return [a, b];
  }
  return undefined;
}

function stickyEnd(re: RegExp, text: string, from: number): number {
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? from + m[0].length : from;
}

function ssnValid(d: string): boolean {
  const area = d.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && d.slice(3, 5) !== '00' && d.slice(5) !== '0000';
}

/** North American numbering plan: area code and exchange start with 2-9. */
function nanpValid(d: string): boolean {
  return d.length === 10 && d[0]! >= '2' && d[3]! >= '2';
}
