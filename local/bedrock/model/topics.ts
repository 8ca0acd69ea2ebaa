import { isContentWord, words } from './text.ts';
import type { AnalyzedCall } from './types.ts';

export const MAX_TOPICS = 5;
const MAX_LABEL = 60;
const MAX_KEYPHRASE_TOPICS = 3;
const MIN_KEYPHRASE_SCORE = 3;
const FALLBACK_TOPIC = 'general inquiry';

/** Words that carry meaning in a sentence but make poor topic labels on their own. */
const NOT_A_TOPIC = new Set(
  `within without arrive arrived speak talk work working worked use used using happen happened seem seems mean means
  understand show shows showing remember wait hold check send sent receive received ask asked find found start started
  stop stopped keep kept leave left happy sorry okay fine guess hope hoping feel felt sound sounds love like new old
  last next same different other another whole sure little big today's anything else ending end thing
  stolen lost missing broken wrong third fourth fifth sixth once twice tonight tomorrow's morning evening weekend`
    .split(/\s+/)
    .filter(Boolean),
);

/** Common support-call subjects, named the way a supervisor files them; matched on customer words. */
const TOPIC_LEXICON: { label: string; pattern: RegExp }[] = [
  { label: 'lost card', pattern: /\b(?:lost|stolen|missing|misplaced|can't find) (?:my |the |our )?(?:[a-z]+ )?card\b|\bcard (?:was |got |has been )?(?:lost|stolen)\b/ },
  { label: 'fraud report', pattern: /\b(?:fraud(?:ulent)?|unauthori[sz]ed|didn't make (?:this|that|these) (?:charge|purchase|transaction)s?|scam(?:med)?|identity theft)\b/ },
  { label: 'billing dispute', pattern: /\b(?:charged twice|double[- ]charged|overcharg\w*|wrong (?:amount|charge)|dispute|(?:bill|invoice|statement) (?:is|was|seems) (?:wrong|higher|too high)|extra charge|hidden fee)\b/ },
  { label: 'refund request', pattern: /\b(?:refund|money back|reimburse\w*|chargeback)\b/ },
  { label: 'cancellation', pattern: /\b(?:cancel\w*|close my account|terminate|end my (?:contract|subscription|plan))\b/ },
  { label: 'internet outage', pattern: /\b(?:internet|wi-?fi|broadband|connection|network|router|modem)\b[^.?!]*\b(?:down|out|outage|not working|stopped working|keeps dropping|dropping|no signal|disconnect\w*|slow)\b|\boutage\b/ },
  { label: 'account access', pattern: /\b(?:locked out|can't (?:log|sign) in|cannot (?:log|sign) in|unable to (?:log|sign) in|forgot (?:my )?password|reset (?:my )?password|password reset|two[- ]factor|verification code)\b/ },
  { label: 'delivery issue', pattern: /\b(?:package|parcel|delivery|shipment|order)\b[^.?!]*\b(?:late|delayed|never (?:arrived|came)|hasn't arrived|didn't arrive|missing|lost|damaged|wrong)\b|\btracking number\b/ },
  { label: 'plan change', pattern: /\b(?:upgrade|downgrade|change (?:my )?plan|switch (?:my )?plan|new plan|cheaper plan)\b/ },
  { label: 'payment issue', pattern: /\b(?:payment (?:failed|declined|didn't go through)|card (?:was |got )?declined|autopay|late fee|missed payment|payment plan)\b/ },
  { label: 'address change', pattern: /\b(?:change (?:of |my )?address|new address|moved|moving)\b/ },
  { label: 'technical issue', pattern: /\b(?:app|website|site|device|phone|tv|software)\b[^.?!]*\b(?:crash\w*|error|not working|won't (?:load|open|turn on)|keeps freezing|broken|bug)\b/ },
  { label: 'appointment scheduling', pattern: /\b(?:appointment|reschedul\w*|book (?:a |an )?(?:visit|slot)|technician visit)\b/ },
];

/**
 * 1-5 labels: known support subjects from the lexicon first, then keyphrases (runs of up to three
 * content words) scored by frequency, with customer words and the early part of the call weighted up.
 */
export function extractTopics(call: AnalyzedCall): string[] {
  const customerText = call.sentences.filter((s) => s.role === 'customer').map((s) => s.lower);
  const labels: string[] = [];
  for (const { label, pattern } of TOPIC_LEXICON) {
    if (labels.length >= 3) break;
    if (customerText.some((text) => pattern.test(text))) labels.push(label);
  }

  const scores = new Map<string, { score: number; first: number; count: number }>();
  const early = Math.max(10, Math.floor(call.sentences.length / 3));
  for (const s of call.sentences) {
    const weight = (s.role === 'customer' ? 2 : s.role === 'agent' ? 1 : 0.5) * (s.index < early ? 1.5 : 1);
    for (const phrase of keyphrases(s.lower)) {
      const entry = scores.get(phrase) ?? { score: 0, first: s.index, count: 0 };
      entry.count += 1;
      entry.score += weight * (phrase.includes(' ') ? 1.6 : 1);
      scores.set(phrase, entry);
    }
  }
  const ranked = [...scores.entries()]
    .filter(([phrase, v]) => v.score >= MIN_KEYPHRASE_SCORE && (v.count >= 2 || phrase.includes(' ')) && !phrase.split(' ').some((w) => NOT_A_TOPIC.has(w)))
    .sort((a, b) => b[1].score - a[1].score || a[1].first - b[1].first || (a[0] < b[0] ? -1 : 1))
    .map(([phrase]) => phrase);

  let keyphraseTopics = 0;
  for (const phrase of ranked) {
    if (labels.length >= MAX_TOPICS || keyphraseTopics >= MAX_KEYPHRASE_TOPICS) break;
    if (covered(labels, phrase)) continue;
    keyphraseTopics += 1;
    labels.push(phrase.slice(0, MAX_LABEL).trim());
  }
  return labels.length > 0 ? labels : [FALLBACK_TOPIC];
}

/** Runs of consecutive content words (1-3 words; singular forms) and their single words. */
function keyphrases(lower: string): string[] {
  const out: string[] = [];
  let run: string[] = [];
  const flush = () => {
    for (let size = Math.min(3, run.length); size >= 1; size -= 1) {
      for (let i = 0; i + size <= run.length; i += 1) {
        const last = run[i + size - 1]!;
        if (/(?:ed|ly)$/.test(last)) continue;
        out.push(run.slice(i, i + size).join(' '));
      }
    }
    run = [];
  };
  for (const word of words(lower)) {
    if (isContentWord(word) && /^\p{L}/u.test(word) && !word.includes("'")) run.push(singular(word));
    else flush();
  }
  flush();
  return out;
}

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('s') && !/(?:ss|us|is|os)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** A phrase adds nothing when every word of it is already in a chosen label, or it is inside one. */
function covered(labels: string[], phrase: string): boolean {
  const taken = new Set(labels.flatMap((label) => label.split(' ').map(singular)));
  return phrase.split(' ').every((w) => taken.has(w)) || labels.some((label) => phrase.split(' ').length > 1 && label.includes(phrase));
}
