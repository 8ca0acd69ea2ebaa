import type { AnalyzedCall, CallSentence, NotesInput } from './types.ts';

/** Same boundary rule as countSentences in domain/notes.ts, so one piece never counts as two. */
const SENTENCE_BOUNDARY = /(?<=[.!?])\s+(?=[A-Z0-9"'([])/;

/** Longest sentence kept whole; longer ones (unpunctuated speech) are cut into pieces of this size. */
const MAX_SENTENCE_CHARS = 400;

export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(SENTENCE_BOUNDARY)) {
    const sentence = raw.replace(/\s+/g, ' ').trim();
    if (!sentence) continue;
    if (sentence.length <= MAX_SENTENCE_CHARS) {
      out.push(sentence);
      continue;
    }
    for (let start = 0; start < sentence.length; start += MAX_SENTENCE_CHARS) {
      const piece = sentence.slice(start, start + MAX_SENTENCE_CHARS).trim();
      if (piece) out.push(piece);
    }
  }
  return out;
}

/**
 * Removes what chat and social channels add around the words: links, the @handles a message is
 * addressed to (a handle inside a sentence keeps its name), agent sign-offs (^TJ, *HMB), part
 * counters of split messages (1/2, (2/3)), HTML entities and emoji.
 */
export function cleanTurnText(text: string): string {
  let out = text
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/\bhttps?:\/\/\S+/gi, ' ')
    .replace(/\bwww\.\S+/gi, ' ')
    .replace(/\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}\u{FE0F}\u{200D}]/gu, ' ')
    .replace(/\^[A-Za-z]{1,4}\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  // Addressing handles at the start ("@Delta ...") or after the last sentence ("... @XboxSupport"), numeric ones anywhere.
  out = out.replace(/^(?:@\w+[\s,:]*)+/, '').replace(/([.!?])(?:\s+@\w+)+\s*$/, '$1').replace(/(^|\s)@\d+\b/g, '$1').replace(/(^|[\s(])@(?=[A-Za-z])/g, '$1');
  for (;;) {
    const next = out
      .replace(/\s*(?:\(\d{1,2}(?:\/\d{1,2})?\)|\b\d\/\d|\*[A-Z]{2,4}|\s[-–—~]\s?[A-Z][a-z]{1,15}\.?)\s*$/, '')
      .replace(/^(?:\.{2,}|…)\s*/, '')
      .trim();
    if (next === out) return out;
    out = next;
  }
}

/** A chat message cut in two ("... can be (1/2)" + "found here") reads as one turn again. */
const ENDS_SENTENCE = /[.!?…:)"']$/;

/** Splits every turn into sentences once; summary, topics, action items and outcome share the result. */
export function analyzeCall(input: NotesInput): AnalyzedCall {
  const sentences: CallSentence[] = [];
  const turns: { role: NotesInput['turns'][number]['role']; text: string; turnIndex: number }[] = [];
  input.turns.forEach((turn, turnIndex) => {
    const text = cleanTurnText(String(turn.text ?? ''));
    if (!text) return;
    const last = turns[turns.length - 1];
    if (last && last.role === turn.role && !ENDS_SENTENCE.test(last.text) && /^[a-z0-9]/.test(text)) {
      last.text = `${last.text} ${text}`;
      return;
    }
    turns.push({ role: turn.role, text, turnIndex });
  });
  for (const turn of turns) {
    for (const text of splitSentences(turn.text)) {
      sentences.push({ role: turn.role, turnIndex: turn.turnIndex, index: sentences.length, text, lower: text.toLowerCase() });
    }
  }
  return { callDate: input.callDate, turnCount: input.turns.length, sentences };
}

/** Lower-case word tokens (letters, digits, apostrophes), placeholders such as [CARD] removed. */
export function words(lower: string): string[] {
  return lower.replace(/\[[a-z_ ]+\]/g, ' ').match(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu) ?? [];
}

export const STOPWORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been before being below
  between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for
  from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
  how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't my myself no nor not
  of off on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't
  so some such than that that's the their theirs them themselves then there there's these they they'd they'll they're
  they've this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what what's
  when when's where where's which while who who's whom why why's with won't would wouldn't you you'd you'll you're
  you've your yours yourself yourselves
  yeah yes yep yup no nope ok okay um uh uhm hmm oh ah hi hello hey bye goodbye thanks thank please sure right well
  like just really actually basically literally gonna wanna gotta kind sort lot lots bit thing things stuff something
  anything everything nothing someone anyone everyone one two three four five six seven eight nine ten first second
  get got getting gets go going goes went gone come came coming know knew think thought see saw look looking looked
  want wanted wants need needed needs call called calling calls help helped helping say said says tell told make made
  take took let give gave put keep try tried trying can could will would shall may might must still now today tomorrow
  yesterday morning afternoon evening day days week weeks month months year years time times minute minutes hour hours
  moment second seconds again already maybe perhaps probably definitely good great fine perfect awesome nice wonderful
  appreciate sorry hear happy glad name number sir ma'am madam mr mrs ms today's calling there's here's also even
  much many way back able sure absolutely certainly course alright whatever anyway though since via per etc`
    .split(/\s+/)
    .filter(Boolean),
);

export function isContentWord(word: string): boolean {
  return word.length >= 3 && !STOPWORDS.has(word) && !/^\d+$/.test(word);
}

/** Cuts text to at most `max` characters at a word boundary. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 3);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.!?-]+$/, '')}...`;
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Words that open a sentence with a comma without naming anyone ("However, ..."). */
const SENTENCE_ADVERBS = new Set(
  `however also again sorry otherwise meanwhile alternatively please therefore instead yes no well now then first second
  third finally next plus besides anyway regardless today tomorrow yesterday sir madam indeed great awesome perfect
  thanks cheers sure right understood noted apologies ok okay alright hi hello hey yeah yep so oh ah wow hmm um
  unfortunately additionally again though still once here there this that`.split(/\s+/),
);

/** Days and months: a capitalised word after a comma that is not someone being addressed. */
const CALENDAR_WORDS = /^(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|today|tomorrow)$/i;

/**
 * Drops the fillers and greetings that open spoken sentences ("Hi, yeah, so ..."), the name of whoever
 * is greeted ("Hi Talie, ...") and a closing vocative ("..., Gary."). "No" goes only as an answer
 * ("No, ...") so "No matter what" keeps its meaning.
 */
export function stripOpeners(text: string): string {
  let out = text.trim();
  for (;;) {
    const next = out
      .replace(/^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b[\s,]*(?:there\b|all\b|team\b|[A-Z][a-z]+\b(?=\s*[,!.]))?[\s,.!:;-]*/i, '')
      .replace(
        /^(?:yeah|yes|yep|ok|okay|um+|uh+|uhm|hmm|oh|so|well|right|alright|sure|great|perfect|thanks|thank you|basically|actually|and|but)\b(?!\s+(?:again|for|to)\b)[\s,.!:;-]*/i,
        '',
      )
      .replace(/^no\b\s*[,.!]+\s*/i, '');
    if (next === out) break;
    out = next;
  }
  const opening = /^([A-Z][a-z]+),\s+(?=\S)/.exec(out);
  if (opening && !/ly$/.test(opening[1]!) && !SENTENCE_ADVERBS.has(opening[1]!.toLowerCase()) && !CALENDAR_WORDS.test(opening[1]!)) out = out.slice(opening[0].length);
  const vocative = /,\s*([A-Z][a-z]+)\s*([.!?]*)$/.exec(out);
  if (vocative && !CALENDAR_WORDS.test(vocative[1]!)) out = `${out.slice(0, vocative.index)}${vocative[2] ?? ''}`;
  return out;
}

type Person = 'first' | 'second' | 'we';

interface Rewrite {
  /** Subject for "I" (or "we"); `plural` decides verb agreement ("they are" / "the agent is"). */
  first: { subject: string; object: string; possessive: string; plural: boolean };
  second: { subject: string; object: string; possessive: string; plural: boolean };
  we: { subject: string; object: string; possessive: string; plural: boolean };
}

/** A customer's words told about the customer: "I lost my card" -> "they lost their card". */
export const CUSTOMER_VOICE: Rewrite = {
  first: { subject: 'they', object: 'them', possessive: 'their', plural: true },
  second: { subject: 'the company', object: 'the company', possessive: 'the company\'s', plural: false },
  we: { subject: 'they', object: 'them', possessive: 'their', plural: true },
};

/** An agent's words told about the agent: "I've sent you a link" -> "they've sent the customer a link". */
export const AGENT_VOICE: Rewrite = {
  first: { subject: 'they', object: 'them', possessive: 'their', plural: true },
  second: { subject: 'the customer', object: 'the customer', possessive: 'the customer\'s', plural: false },
  we: { subject: 'the company', object: 'the company', possessive: 'the company\'s', plural: false },
};

/** What an agent asks the customer to do: "send us your email" -> "send the company their email". */
export const REQUEST_VOICE: Rewrite = {
  first: { subject: 'the agent', object: 'the agent', possessive: 'the agent\'s', plural: false },
  second: { subject: 'they', object: 'them', possessive: 'their', plural: true },
  we: { subject: 'the company', object: 'the company', possessive: 'the company\'s', plural: false },
};

const VERB_FORMS: Record<string, { plural: string; singular: string }> = {
  am: { plural: 'are', singular: 'is' },
  are: { plural: 'are', singular: 'is' },
  was: { plural: 'were', singular: 'was' },
  were: { plural: 'were', singular: 'was' },
  have: { plural: 'have', singular: 'has' },
  do: { plural: 'do', singular: 'does' },
  "don't": { plural: "don't", singular: "doesn't" },
  need: { plural: 'need', singular: 'needs' },
  want: { plural: 'want', singular: 'wants' },
  think: { plural: 'think', singular: 'thinks' },
  can: { plural: 'can', singular: 'can' },
};

/** Common verbs after "we" / "you" that need an -s when retold about "the company" / "the customer". */
for (const verb of `hope appreciate apologize apologise understand see know like love recommend suggest offer value take look
  get send show require expect agree owe believe feel hear ask understand book pay receive check use live work wish
  regret aim strive try call email help thank reach apply provide value miss make`.split(/\s+/)) {
  if (!VERB_FORMS[verb]) VERB_FORMS[verb] = { plural: verb, singular: /(?:s|sh|ch|x|o)$/.test(verb) ? `${verb}es` : /[^aeiou]y$/.test(verb) ? `${verb.slice(0, -1)}ies` : `${verb}s` };
}

const AUXILIARY = /^(?:can|could|would|will|shall|should|may|might|must|do|does|did|don't|doesn't|didn't|can't|won't|wouldn't|couldn't|to|let|please|would've)$/;

const CONTRACTIONS: Record<string, [Person, string]> = {
  "i'm": ['first', 'am'], "i've": ['first', 'have'], "i'll": ['first', 'will'], "i'd": ['first', 'would'],
  "you're": ['second', 'are'], "you've": ['second', 'have'], "you'll": ['second', 'will'], "you'd": ['second', 'would'],
  "we're": ['we', 'are'], "we've": ['we', 'have'], "we'll": ['we', 'will'], "we'd": ['we', 'would'],
};

/**
 * Retells a sentence in the third person for a supervisor. Handles pronouns and the verbs that
 * must agree with them (am/are/was/have/do and a few common ones); other verbs are left as said.
 */
export function retell(sentence: string, voice: Rewrite): string {
  const tokens = sentence.replace(/’/g, "'").split(/(\s+)/);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i]!;
    const m = /^([("]*)([A-Za-z']+)([^A-Za-z']*)$/.exec(token);
    if (!m) {
      out.push(token);
      continue;
    }
    const [, lead, word, trail] = m as unknown as [string, string, string, string];
    const lower = word.toLowerCase();
    const contraction = CONTRACTIONS[lower];
    if (contraction) {
      const who = voice[contraction[0]];
      const verb = VERB_FORMS[contraction[1]];
      const form = verb ? (who.plural ? verb.plural : verb.singular) : contraction[1];
      out.push(`${lead}${who.subject} ${form}${trail}`);
      continue;
    }
    const person: Person | undefined = lower === 'i' ? 'first' : lower === 'you' ? 'second' : lower === 'we' ? 'we' : undefined;
    if (person) {
      const who = voice[person];
      const nextWord = (tokens[i + 2] ?? '').toLowerCase().replace(/[^a-z']/g, '');
      const prev = (tokens[i - 2] ?? '').toLowerCase().replace(/[^a-z']/g, '');
      // After an auxiliary ("can you see", "do you have") the verb stays bare.
      const verb = AUXILIARY.test(prev) && !/^(?:am|are|was|were|have)$/.test(nextWord) ? undefined : VERB_FORMS[nextWord];
      // "you" ending a clause ("the email I'm sending you.") or after a verb in -ing is an object too.
      const isObject = person === 'second' && !verb && (/^(to|for|with|at|on|by|from|send|give|email|call|tell|show|help|let|text|owe|charge|charged|thank|ask)$/.test(prev) || (/ing$/.test(prev) && !/thing$/.test(prev)) || /^[,.;:!?)]/.test(trail) || tokens[i + 2] === undefined);
      out.push(`${lead}${isObject ? who.object : who.subject}${trail}`);
      if (verb && !trail) {
        out.push(tokens[i + 1] ?? ' ', who.plural ? verb.plural : verb.singular);
        const nextTrail = /[^A-Za-z']+$/.exec(tokens[i + 2] ?? '')?.[0] ?? '';
        out.push(nextTrail);
        i += 2;
      }
      continue;
    }
    const possessive = lower === 'my' ? voice.first.possessive : lower === 'your' ? voice.second.possessive : lower === 'our' ? voice.we.possessive : undefined;
    if (possessive) {
      out.push(`${lead}${possessive}${trail}`);
      continue;
    }
    const object = lower === 'me' ? voice.first.object : lower === 'us' ? voice.we.object : undefined;
    if (object) {
      out.push(`${lead}${object}${trail}`);
      continue;
    }
    if (lower === 'myself' || lower === 'yourself') {
      out.push(`${lead}${lower === 'myself' ? 'themselves' : voice.second.object}${trail}`);
      continue;
    }
    out.push(token);
  }
  return out.join('');
}
