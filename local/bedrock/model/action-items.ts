import type { ActionItem } from '../../../domain/notes.ts';
import { resolveDue } from './dates.ts';
import { AGENT_VOICE, capitalize, clip, isContentWord, retell, words } from './text.ts';
import type { AnalyzedCall, CallSentence } from './types.ts';

export const MAX_ACTION_ITEMS = 8;
const MAX_CANDIDATES = 60;
const MAX_TEXT = 200;

type Owner = ActionItem['owner'];

interface Cue {
  roles: CallSentence['role'][];
  owner: Owner;
  pattern: RegExp;
  /** Whether the item's text starts at the verb ("Send ...") or keeps the subject ("A technician will ..."). */
  from: 'verb' | 'subject';
}

const MODIFIERS = String.raw`(?:(?:go ahead and|also|personally|just|definitely|make sure to|be sure to|then|quickly|now)\s+)*`;

/** Verbs of things done on the call itself ("I'll check", "please hold"): not open commitments. */
const IMMEDIATE_VERBS = new Set([
  'check', 'look', 'see', 'pull', 'verify', 'confirm', 'put', 'hold', 'transfer', 'connect', 'wait', 'be', 'read',
  'repeat', 'help', 'explain', 'walk', 'need', 'bear', 'hang', 'stay', 'spell', 'tell', 'give', 'hear', 'go', 'take',
  'let', 'ask', 'pause', 'mute', 'think', 'note', 'do', 'start', 'continue', 'proceed', 'pick', 'open', 'try',
]);

/** What a customer is asked to do on the call itself ("please hold", "can you confirm ..."). */
const CUSTOMER_IMMEDIATE_VERBS = new Set([
  'hold', 'wait', 'bear', 'hang', 'stay', 'confirm', 'verify', 'spell', 'repeat', 'tell', 'give', 'read', 'hear',
  'see', 'let', 'go', 'be', 'try', 'note', 'excuse', 'allow', 'describe', 'explain', 'clarify', 'look',
]);

/** Verbs a customer can still do after the call when asked "can you ...". */
const DELIVERABLE_VERBS = new Set([
  'send', 'return', 'upload', 'email', 'mail', 'bring', 'sign', 'submit', 'fill', 'complete', 'pay', 'restart',
  'reboot', 'call', 'visit', 'install', 'update', 'reply', 'respond', 'fax', 'drop', 'ship', 'activate', 'download',
  'forward', 'provide', 'keep', 'monitor', 'contact', 'reset', 'unplug', 'plug', 'register', 'schedule', 'book',
]);

const CUES: Cue[] = [
  {
    roles: ['agent', 'other'],
    owner: 'company',
    pattern: new RegExp(
      String.raw`\b(?:we(?:'ll| will| are going to|'re going to| are gonna|'re gonna)|i(?:'ll| will) have (?:someone|somebody|a|an|the|our)\b[^.?!]*?|(?:our|the|a|an) (?:[a-z-]+ ){0,2}(?:team|department|technician|tech|engineer|specialist|courier|driver|manager|supervisor|representative|rep|office|store|branch|bank|system)s? will|someone(?: from [a-z ]{1,30})? will|somebody will|they(?:'ll| will)|you(?:'ll| will) (?:receive|get|see|be (?:contacted|receiving|getting|refunded|credited|called|emailed|notified|charged)))\s+${MODIFIERS}([a-z]+)`,
      'i',
    ),
    from: 'subject',
  },
  {
    roles: ['agent', 'other'],
    owner: 'agent',
    pattern: new RegExp(String.raw`\bi(?:'ll| will|'m going to| am going to|'m gonna| am gonna)\s+${MODIFIERS}([a-z]+)`, 'i'),
    from: 'verb',
  },
  {
    roles: ['agent', 'other'],
    owner: 'customer',
    pattern: new RegExp(
      String.raw`\b(?:you(?:'ll| will)? need to|you(?:'ll| will)? have to|you must|you should|make sure (?:that )?you|make sure to|please|be sure to|remember to|don't forget to)\s+${MODIFIERS}([a-z]+)`,
      'i',
    ),
    from: 'verb',
  },
  {
    roles: ['agent', 'other'],
    owner: 'customer',
    pattern: /\b(?:can you|could you|would you|if you could|you can)\s+(?:please\s+)?([a-z]+)/i,
    from: 'verb',
  },
  {
    roles: ['customer'],
    owner: 'customer',
    pattern: new RegExp(String.raw`\bi(?:'ll| will|'m going to| am going to|'m gonna| am gonna)\s+${MODIFIERS}([a-z]+)`, 'i'),
    from: 'verb',
  },
];

const DONE_ON_CALL = /\b(?:right now|right away|real quick|one moment|a moment|a sec(?:ond)?|as we speak|while you(?:'re| are) on the line|on hold|on the line)\b/i;

/** Voice for what a customer is asked to do: "return your card" -> "return their card". */
const CUSTOMER_TASK_VOICE = {
  first: { subject: 'the agent', object: 'the agent', possessive: 'the agent\'s', plural: false },
  second: { subject: 'they', object: 'them', possessive: 'their', plural: true },
  we: { subject: 'the company', object: 'the company', possessive: 'the company\'s', plural: false },
};
const CUSTOMER_SELF_VOICE = {
  first: { subject: 'they', object: 'them', possessive: 'their', plural: true },
  second: { subject: 'the company', object: 'the company', possessive: 'the company\'s', plural: false },
  we: { subject: 'they', object: 'them', possessive: 'their', plural: true },
};

/**
 * Commitments and requests still open when the call ends: agent I-statements (agent), we / our team
 * / a technician (company), what the customer is asked to do or promises (customer). Due dates are
 * resolved from the call date; items are deduplicated and capped.
 */
export function extractActionItems(call: AnalyzedCall): ActionItem[] {
  const items: (ActionItem & { key: Set<string> })[] = [];
  let candidates = 0;
  for (const sentence of call.sentences.flatMap(clauses)) {
    if (candidates >= MAX_CANDIDATES || items.length >= MAX_ACTION_ITEMS) break;
    const found = matchCue(sentence);
    if (!found) continue;
    candidates += 1;
    const { cue, start, verb } = found;
    if (DONE_ON_CALL.test(sentence.text)) continue;
    const isAsk = /^(?:can|could|would|if|you can)/i.test(sentence.text.slice(start).trim());
    if (cue.owner === 'customer' && isAsk && !DELIVERABLE_VERBS.has(verb)) continue;
    if (cue.from === 'verb' && (cue.owner === 'customer' ? CUSTOMER_IMMEDIATE_VERBS : IMMEDIATE_VERBS).has(verb)) continue;

    const clause = cutClause(sentence.text.slice(start));
    const text = clip(capitalize(phrase(clause, cue, verb, sentence.role)), MAX_TEXT);
    if (!/[a-z]/i.test(text) || vague(text)) continue;
    const due = resolveDue(clause, call.callDate) ?? resolveDue(sentence.text, call.callDate);
    const key = new Set(words(text.toLowerCase()).filter(isContentWord));
    const duplicate = items.find((item) => item.owner === cue.owner && similar(item.key, key));
    if (duplicate) {
      if (!duplicate.due && due) duplicate.due = due;
      continue;
    }
    items.push({ owner: cue.owner, text, due, key });
  }
  return items.map(({ owner, text, due }) => ({ owner, text, due }));
}

/**
 * A commitment nobody could act on from the notes alone: cut off mid-phrase ("Like the agent to—"),
 * or with nothing but a pronoun for its object ("The company will add it").
 */
function vague(text: string): boolean {
  if (/[—–-]\s*$/.test(text)) return true;
  const content = words(text.toLowerCase()).filter(isContentWord);
  if (content.length < 2) return true;
  return /\b(?:will|'ll|to)\s+(?:\w+\s+){0,2}?(?:do|update|add|fix|check|handle|change|get|send|take care of)\s+(?:it|that|this|them)(?:\s+(?:up|out|over))?$/i.test(text);
}

/** One sentence may hold several commitments: "we will call you back, and a technician will visit". */
function clauses(sentence: CallSentence): CallSentence[] {
  const parts = sentence.text.split(/(?:,\s+|\s+)(?:and then|and|but|then|also)\s+(?=[a-z' ]{0,40}\b(?:will|'ll|need to|have to|must|please)\b)|;\s+/i);
  return parts.length === 1 ? [sentence] : parts.filter((p) => p.trim()).map((text) => ({ ...sentence, text, lower: text.toLowerCase() }));
}

function matchCue(sentence: CallSentence): { cue: Cue; start: number; verb: string } | undefined {
  for (const cue of CUES) {
    if (!cue.roles.includes(sentence.role)) continue;
    const m = cue.pattern.exec(sentence.text);
    if (!m) continue;
    const verb = (m[1] ?? '').toLowerCase();
    const start = cue.from === 'verb' ? m.index + m[0].length - verb.length : m.index;
    return { cue, start, verb };
  }
  return undefined;
}

function cutClause(text: string): string {
  const end = text.search(/[;?!]|\.(?:\s|$)|,\s+(?:and|but|so|because|then|if|okay|alright)\b|\s+(?:but|because|so that|unless)\s+/i);
  return (end >= 0 ? text.slice(0, end) : text).replace(/[\s,.:-]+$/, '').trim();
}

function phrase(clause: string, cue: Cue, verb: string, role: CallSentence['role']): string {
  if (cue.from === 'subject') {
    return retell(clause, AGENT_VOICE).replace(/^they (will|are going to)\b/i, 'the company $1');
  }
  if (role === 'customer') return retell(clause, CUSTOMER_SELF_VOICE);
  const retold = retell(clause, cue.owner === 'customer' ? CUSTOMER_TASK_VOICE : AGENT_VOICE);
  return verb ? retold : clause;
}

function similar(a: Set<string>, b: Set<string>): boolean {
  if (a.size === 0 || b.size === 0) return a.size === b.size;
  let shared = 0;
  for (const word of a) if (b.has(word)) shared += 1;
  return shared / (a.size + b.size - shared) >= 0.6;
}
