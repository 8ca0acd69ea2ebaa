import { STOPWORDS, isContentWord, words } from './text.ts';
import type { AnalyzedCall, CallSentence } from './types.ts';

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
  stolen lost missing broken wrong third fourth fifth sixth once twice tonight tomorrow's morning evening weekend
  home manager supervisor agent customer rep representative team person people guy guys folks mind telling tell
  available possible soon near never past recent done request requested seeing saying responded proper serious rather
  issue issues problem problems question questions help service information info detail details update change changed
  make made book booked reserve reserved look looking option options able wondering interested today yesterday
  monday tuesday wednesday thursday friday saturday sunday thirty twenty forty fifty hundred thousand dollar dollars
  ive im dont cant wont didnt doesnt isnt youre thats theyre u ur pls plz thx smh lol hv thn asap fyi btw omg dm
  support care team account company experience`
    .split(/\s+/)
    .filter(Boolean),
);

/** Common support-call subjects, named the way a supervisor files them; matched on customer words. */
const TOPIC_LEXICON: { label: string; pattern: RegExp }[] = [
  { label: 'lost card', pattern: /\b(?:lost|stolen|missing|misplaced|can't find) (?:my |the |our )?(?:[a-z]+ )?card\b|\bcard (?:was |got |has been )?(?:lost|stolen)\b/ },
  { label: 'fraud report', pattern: /\b(?:fraud(?:ulent)?|unauthori[sz]ed|didn't make (?:this|that|these) (?:charge|purchase|transaction)s?|scam(?:med)?|identity theft)\b/ },
  { label: 'billing dispute', pattern: /\b(?:(?:remove|waive|take off|refund) (?:the |that |this )?(?:\w+ ){0,2}fee|fee\b[^.?!]*\b(?:removed|waived|taken off|refunded)|charged twice|double[- ]charged|overcharg\w*|wrong (?:amount|charge)|dispute|(?:bill|invoice|statement) (?:is|was|seems) (?:wrong|higher|too high)|extra charge|hidden fee)\b/ },
  { label: 'refund request', pattern: /\b(?:refund|money back|reimburse\w*|chargeback)\b/ },
  { label: 'cancellation', pattern: /\b(?:(?:want|like|need|going|trying|wish) to cancel|cancel (?:my|the|our) (?:\w+ )?(?:account|service|subscription|plan|contract|membership|order|policy|booking|reservation)|cancell?ation(?! fees?)|close my account|terminate|end my (?:contract|subscription|plan))\b/ },
  // The failure word must be near the service word: "check out the network coverage of my plan" is no outage.
  { label: 'internet outage', pattern: /\b(?:internet|wi-?fi|broadband|router|modem)(?:'s| is| has| was)?\W+(?:\w+\W+){0,4}?(?:down|out|outage|offline|not working|stopped working|keeps dropping|dropping|no signal|disconnect\w*|slow)\b|\b(?:internet|service|network|broadband) outage\b|\bno (?:internet|wi-?fi)\b/ },
  { label: 'phone plan', pattern: /\b(?:phone|mobile|cell|cellular|data|prepaid|postpaid|talk and text) plan\b|\b(?:prepaid|postpaid)\b/ },
  { label: 'account access', pattern: /\b(?:locked out|can't (?:log|sign) in|cannot (?:log|sign) in|unable to (?:log|sign) in|forgot (?:my )?password|reset (?:my )?password|password reset|two[- ]factor|verification code)\b/ },
  { label: 'delivery issue', pattern: /\b(?:package|parcel|delivery|shipment|order)\b[^.?!]*\b(?:late|delayed|never (?:arrived|came)|hasn't arrived|didn't arrive|missing|lost|damaged|wrong)\b|\btracking number\b/ },
  { label: 'plan change', pattern: /\b(?:upgrade|downgrade|change (?:my )?plan|switch (?:my )?plan|new plan|cheaper plan)\b/ },
  { label: 'payment issue', pattern: /\b(?:payment (?:failed|declined|didn't go through)|card (?:was |got )?declined|autopay|late fee|missed payment|payment plan)\b/ },
  { label: 'address change', pattern: /\b(?:change (?:of |my |the )?address|update (?:my |the )?address|new address|(?:i'm|i am|we're|we are) moving|moving (?:house|home|out)|moved (?:house|to (?:a )?new))\b/ },
  { label: 'technical issue', pattern: /\b(?:app|website|site|device|phone|tv|software)\b[^.?!]*\b(?:crash\w*|error|not working|won't (?:load|open|turn on)|keeps freezing|broken|bug)\b/ },
  { label: 'appointment scheduling', pattern: /\b(?:appointment|reschedul\w*|book (?:a |an )?(?:visit|slot)|technician visit)\b/ },
];

/**
 * 1-5 labels: known support subjects from the lexicon first, then keyphrases (runs of up to three
 * content words) scored by frequency, with customer words and the early part of the call weighted up.
 */
export function extractTopics(call: AnalyzedCall): string[] {
  const excluded = namesAndProperNouns(call);
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
    .filter(([phrase, v]) => v.score >= MIN_KEYPHRASE_SCORE && (v.count >= 2 || phrase.includes(' ')) && isNounPhrase(phrase) && !phrase.split(' ').some((w) => NOT_A_TOPIC.has(w) || excluded.has(w)))
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

/** Support words that may be written with a capital mid-sentence and still make a topic. */
const SUPPORT_VOCABULARY = new Set(
  `internet wifi wi-fi broadband tv cable phone mobile app website account card credit debit visa mastercard amex bank
  billing bill invoice refund order delivery shipping package premium plus pro prime gold platinum business internet
  router modem email password login fibre fiber data plan roaming voicemail sim esim iphone android ios windows mac`.split(/\s+/),
);

/**
 * Words that name people, never topics: what follows "my name is" / "this is" / "I'm", a short answer
 * to "can I have your name", whoever a greeting addresses ("Hi Talie,"), and capitalised words in
 * mid-sentence that are not support vocabulary (lower-case elsewhere in the call counts as a word).
 */
function namesAndProperNouns(call: AnalyzedCall): Set<string> {
  const names = new Set<string>();
  const lowerSeen = new Set<string>();
  for (const s of call.sentences) for (const w of s.text.match(/\b[a-z][a-z'-]+\b/g) ?? []) lowerSeen.add(w);
  const add = (text: string) => {
    for (const w of words(text.toLowerCase())) if (!STOPWORDS.has(w)) names.add(w);
  };
  let askedName = false;
  // Whole turns, so a title the sentence splitter cut off ("Dr." | "Alexis is ...") still precedes its name.
  const turns: { role: CallSentence['role']; text: string; turnIndex: number }[] = [];
  for (const s of call.sentences) {
    const last = turns[turns.length - 1];
    if (last && last.turnIndex === s.turnIndex) last.text += ` ${s.text}`;
    else turns.push({ role: s.role, text: s.text, turnIndex: s.turnIndex });
  }
  for (const s of turns) {
    for (const m of s.text.matchAll(/\b(?:my name is|my name's|name is|this is|i am|i'm|it's|call me|speaking with|speak to|talking to|dr\.?|mr\.?|mrs\.?|ms\.?|miss)\s+([A-Za-z][\w'-]*(?:\s+[A-Z][\w'-]*)?)/gi)) {
      const [first, second] = m[1]!.split(/\s+/);
      const capitalised = /^[A-Z]/.test(first!);
      if (/name/i.test(m[0]) || (capitalised && !SUPPORT_VOCABULARY.has(first!.toLowerCase()) && !lowerSeen.has(first!.toLowerCase()))) {
        add(first!);
        if (second && (/name/i.test(m[0]) || /^[A-Z]/.test(second))) add(second);
      }
    }
    for (const m of s.text.matchAll(/\b(?:hi|hello|hey|dear|thanks|thank you|sorry|welcome)\s+([A-Z][a-z]+)\b/g)) add(m[1]!);
    if (s.role === 'customer' && askedName && s.text.split(/\s+/).length <= 4) {
      for (const w of s.text.match(/\b[A-Z][a-z]+\b/g) ?? []) add(w);
    }
    askedName = s.role !== 'customer' && /\bname\b/i.test(s.text) ? true : s.role === 'customer' ? false : askedName;
    // Capitalised words after the first word of a sentence: proper nouns unless support vocabulary.
    const tokens = s.text.split(/\s+/);
    tokens.slice(1).forEach((token, i) => {
      const word = token.replace(/^[^A-Za-z]+|[^A-Za-z'-]+$/g, '');
      if (!/^[A-Z][a-z]+$/.test(word) || (/[.!?:]$/.test(tokens[i]!) && !TITLE.test(tokens[i]!))) return;
      const lower = word.toLowerCase();
      if (!SUPPORT_VOCABULARY.has(lower) && !lowerSeen.has(lower)) names.add(singular(lower)).add(lower);
    });
  }
  return names;
}

const TITLE = /^(?:dr|mr|mrs|ms|st|prof)\.$/i;

/** Endings of words that are verbs or adjectives, not the things a call is about. */
const NOT_NOUN_ENDING = /(?:ing|ed|ly|ful|ous|ive|able|ible|est)$/;
/** -ing words that are nouns in support calls. */
const ING_NOUNS = new Set(['tracking', 'billing', 'booking', 'shipping', 'pricing', 'banking', 'roaming', 'parking', 'streaming', 'gaming', 'financing', 'wedding', 'meeting', 'setting', 'housing', 'training', 'clothing', 'building', 'boarding', 'wiring', 'marketing', 'hosting', 'accounting', 'listing', 'morning', 'evening']);

/** A label reads as a thing: its last word is not a verb or adjective form ("viewing available", "make removing"). */
function isNounPhrase(phrase: string): boolean {
  const parts = phrase.split(' ');
  const last = parts[parts.length - 1]!;
  if (NOT_NOUN_ENDING.test(last) && !ING_NOUNS.has(last)) return false;
  return !(parts.length > 1 && /ing$/.test(parts[0]!) && !ING_NOUNS.has(parts[0]!));
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

/** Words that end in s and are not plurals of a word without it. */
const NOT_PLURAL = new Set(['christmas', 'clothes', 'news', 'series', 'species', 'glasses', 'thanks', 'always', 'perhaps', 'whereas', 'analytics', 'diabetes', 'physics', 'electronics', 'headphones', 'sales', 'wales', 'texas', 'paris', 'lens', 'canvas', 'atlas', 'gas', 'bus', 'plus']);

function singular(word: string): string {
  if (NOT_PLURAL.has(word)) return word;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('s') && !/(?:ss|us|is|os|as)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** A phrase adds nothing when every word of it is already in a chosen label, or it is inside one. */
function covered(labels: string[], phrase: string): boolean {
  const taken = new Set(labels.flatMap((label) => label.split(' ').map(singular)));
  return phrase.split(' ').every((w) => taken.has(w)) || labels.some((label) => phrase.split(' ').length > 1 && label.includes(phrase));
}
