import * as chrono from 'chrono-node';

const NUMBER_WORDS: Record<string, number> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  fourteen: 14, fifteen: 15, twenty: 20, thirty: 30,
};

/** Local noon of the call date: far from midnight, so no time zone or DST shift changes the day. */
export function referenceDate(callDate: string): Date {
  const [y, m, d] = callDate.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d, 12, 0, 0, 0);
}

export function formatDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function addBusinessDays(from: Date, count: number): Date {
  const date = new Date(from);
  let left = count;
  while (left > 0) {
    date.setDate(date.getDate() + 1);
    const day = date.getDay();
    if (day !== 0 && day !== 6) left -= 1;
  }
  return date;
}

/**
 * The due date a sentence names, relative to the call date: business days and end of day/week are
 * read here (chrono has no business calendar), everything else by chrono with forwardDate.
 */
export function resolveDue(sentence: string, callDate: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(callDate)) return null;
  const ref = referenceDate(callDate);
  if (Number.isNaN(ref.getTime())) return null;
  const lower = sentence.toLowerCase();

  const business = /\b(?:within|in|after)\s+(?:the\s+next\s+)?(\d{1,2}|[a-z]+)(?:\s+to\s+(\d{1,2}|[a-z]+))?\s+business\s+days?\b/.exec(lower);
  if (business) {
    const count = toNumber(business[2] ?? business[1]!);
    if (count !== undefined) return formatDate(addBusinessDays(ref, count));
  }
  if (/\b(?:end of (?:the )?(?:business )?day|close of business|eod|cob|later today|by tonight)\b/.test(lower)) {
    return formatDate(ref);
  }
  if (/\b(?:end of (?:the |this )?week)\b/.test(lower)) {
    const friday = new Date(ref);
    friday.setDate(ref.getDate() + ((5 - ref.getDay() + 7) % 7));
    return formatDate(friday);
  }
  const parsed = chrono.parseDate(sentence, ref, { forwardDate: true });
  return parsed && !Number.isNaN(parsed.getTime()) ? formatDate(parsed) : null;
}

function toNumber(token: string): number | undefined {
  const n = /^\d+$/.test(token) ? Number(token) : NUMBER_WORDS[token];
  return n !== undefined && n > 0 && n <= 60 ? n : undefined;
}
