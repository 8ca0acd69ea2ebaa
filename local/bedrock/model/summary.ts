import { countSentences, type ActionItem, type Outcome } from '../../../domain/notes.ts';
import { AGENT_VOICE, CUSTOMER_VOICE, REQUEST_VOICE, STOPWORDS, capitalize, clip, isContentWord, retell, stripOpeners, words } from './text.ts';
import type { AnalyzedCall, CallSentence } from './types.ts';

const MAX_FRAGMENT = 240;
const MAX_SUMMARY_SENTENCES = 5;
/** Callers state the issue early: only their first sentences are candidates, and earlier ones win ties. */
const ISSUE_WINDOW = 8;
const ISSUE_POSITION_COST = 2;
/** Agents answer the issue early; later sentences are mostly follow-ups and sign-offs. */
const AGENT_POSITION_COST = 0.25;
/** An opening shorter than this gets the customer's next sentence as detail. */
const SHORT_ISSUE_WORDS = 8;
/** Longest retold sentence before it is cut at a clause boundary. */
const MAX_FRAGMENT_WORDS = 40;
/** Content words beyond this add nothing to a sentence's score: long rambles do not beat clear statements. */
const MAX_INFORMATIVE = 10;

const ISSUE_CUES = /\b(?:problem|issue|trouble|can't|cannot|can not|won't|doesn't|don't|didn't|isn't|wasn't|not working|stopped|broken|lost|stolen|missing|charged|charge|bill|billing|refund|cancel|outage|down|wrong|late|never|error|declined|locked|calling (?:about|because|to)|called (?:about|because)|i need|i want|i'd like|i would like|help with|question about|wondering)\b/i;
const ACTION_CUES = /\b(?:i(?:'ve| have| just| went ahead and)|i(?:'ll| will)|we(?:'ve| have|'ll| will))\s+(?:(?:go ahead and|also|just|now|already|successfully)\s+)*(?:reset|issued|issue|sent|send|refunded|refund|credited|credit|cancel(?:l?ed)?|replaced|replace|ordered|order|updated|update|changed|change|blocked|block|froze|frozen|freeze|scheduled|schedule|booked|book|escalated|escalate|processed|process|applied|apply|waived|waive|fixed|fix|restarted|restart|reactivated|reactivate|unlocked|unlock|submitted|submit|filed|file|opened|open|created|create|arranged|arrange|removed|remove|added|add|reversed|reverse|corrected|correct|adjusted|adjust|activated|activate|disputed|dispute|refreshed|refresh|rebooted|reboot|transfer|transferred|email|emailed|mail|mailed|note|noted|flagged|flag|set up|setup|notify|notified|forward|forwarded|pass|passed|share|shared|report|reported)\b/i;
/** What the agent asks the customer to do: "Please DM us ...", "Can you try ...", "You'll need to ...". */
const REQUEST_LEAD = /^(?:(?:so|ok(?:ay)?|alright|first|for this|in that case|if so|meanwhile|in the meantime)[,\s]+)?(?:please|kindly|can you(?: please)?|could you(?: please)?|would you(?: please)?(?: mind)?|will you(?: please)?|if you could(?: please)?|you(?:'ll| will)? need to|you(?:'ll| will)? have to|you should|you can|we(?:'d| would) (?:recommend|suggest|ask) (?:that )?you|we recommend(?: that you)?|i(?:'d| would) (?:recommend|suggest)(?: that you)?|try)\b[\s,]*/i;
/** Sentences that open with an instruction to the customer: "DM us ...", "Follow the steps ...". */
const IMPERATIVE = /^(?:dm|direct message|message|follow|check|send|visit|contact|reach out|call|click|go to|head to|restart|reboot|power cycle|update|reinstall|uninstall|install|unplug|clear|log (?:in|out)|sign (?:in|out)|reply|respond|tweet|let (?:us|me) know|give us|make sure|keep|feel free to|select|tap|open|navigate|delete|reset|use|refer to|see|drop us|pop us|fill (?:in|out)|take a look|have a look|double[- ]check|confirm|provide|share|tell us)\b/i;
/** A question without its question mark, as chat often writes one. */
const QUESTION_LEAD = /^(?:please\s+)?(?:(?:can|could|would|will) (?:you|i|we|someone|somebody|anyone)|how (?:do|can|long|much|many|come)|why (?:is|are|do|does|did|can't|won't|isn't)|what (?:is|are|do|does|happened)|when (?:is|are|will|do|does|can)|where (?:is|are|can|do)|is (?:there|it|this|that)|are (?:there|you)|do you|does (?:anyone|this|that|it))\b/i;
const SMALL_TALK = /^(?:hi|hello|hey|thanks|thank you|bye|goodbye|yes|yeah|no|ok|okay|sure|great|perfect|alright|um+|uh+|hmm)\b[\s,.!?]*$/i;
/** Politeness that says nothing about the case: apologies, greetings, "happy to help". */
const COURTESY = /\b(?:thanks for (?:calling|contacting|reaching out)|thank you for (?:calling|contacting|reaching out)|(?:you are|you're) (?:speaking|talking|through) (?:with|to)|how (?:can|may) i help)\b|^(?:(?:we(?:'re| are)|i(?:'m| am)) (?:so |very |really |truly )?(?:sorry|happy|glad|here)|sorry (?:to hear|about|for)|(?:we|i) (?:apologi[sz]e|understand)|apologies|thanks for|thank you for|here to help|happy to help|no worries|you're welcome)\b/i;

/** The outcome as a sentence, only where it adds something the issue and the agent's reply do not say. */
const OUTCOME_SENTENCE: Partial<Record<Outcome, string>> = {
  resolved: 'The customer confirmed the issue was resolved.',
  escalated: 'The call was escalated to another team or a supervisor.',
};

/**
 * 2-5 sentences from the call's own words, as a supervisor reads them: the customer's issue (their
 * first clear statement or question), what the agent did or asked of the customer, and the outcome
 * (with the first open commitment when there is a follow-up). Always fits CallNotesSchema.
 */
export function summarize(call: AnalyzedCall, outcome: Outcome, actionItems: ActionItem[]): string {
  const parts: string[] = [];
  const issue = pickIssue(call.sentences);
  if (issue) {
    const retold = issue.role === 'customer' ? retell(stripOpeners(issue.text), CUSTOMER_VOICE) : stripOpeners(issue.text);
    const isQuestion = /\?\s*$/.test(issue.text) || QUESTION_LEAD.test(stripOpeners(issue.text));
    const lead = issue.role === 'customer' ? (isQuestion ? 'The customer asked' : 'The customer said') : 'The call opened with';
    parts.push(`${lead} ${fragment(retold)}.`);
    const detail = issueDetail(call.sentences, issue);
    if (detail) parts.push(`They added that ${fragment(retell(stripOpeners(detail.text), CUSTOMER_VOICE))}.`);
  } else {
    parts.push('The call had no clear statement of the issue.');
  }

  const moves = pickAgentMoves(call.sentences, issue);
  for (const move of moves) parts.push(agentSentence(move));

  const said = new Set(moves.flatMap((move) => words(move.sentence.lower).filter(isContentWord)));
  const open = outcome === 'follow_up' ? actionItems.find((item) => item.owner !== 'customer' && !alreadySaid(item.text, said)) : undefined;
  const closing = open ? followUpSentence(open) : OUTCOME_SENTENCE[outcome];
  if (closing) parts.push(closing);
  if (parts.length < 2) parts.push(outcome === 'unresolved' ? 'The issue was not resolved by the end of the call.' : 'A follow-up is still open after the call.');

  return fit(parts);
}

/** Whether most of an action item's words are already in the summary's agent sentences. */
function alreadySaid(text: string, said: Set<string>): boolean {
  const key = words(text.toLowerCase()).filter(isContentWord);
  return key.length > 0 && key.filter((w) => said.has(w)).length / key.length >= 0.6;
}

function followUpSentence(item: ActionItem): string {
  const task = fragment(item.text.charAt(0).toLowerCase() + item.text.slice(1));
  const due = item.due ? ` (due ${item.due})` : '';
  return item.owner === 'agent' ? `The agent will ${task}${due}.` : `Follow-up is open: ${task}${due}.`;
}

function pickIssue(sentences: CallSentence[]): CallSentence | undefined {
  let best: CallSentence | undefined;
  let bestScore = -Infinity;
  let seen = 0;
  const customerSpoke = sentences.some((s) => s.role === 'customer');
  for (const s of sentences) {
    if (customerSpoke && s.role !== 'customer') continue;
    if (seen >= ISSUE_WINDOW) break;
    const courtesy = COURTESY.test(stripOpeners(s.text)) || /^(?:thanks|thank you)\b/i.test(s.text) ? 4 : 0;
    const score = Math.min(informativeness(s), MAX_INFORMATIVE) + (ISSUE_CUES.test(s.text) ? 3 : 0) - courtesy - seen * ISSUE_POSITION_COST;
    seen += 1;
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best && bestScore > 0 ? best : undefined;
}

/** A short opening ("My order is late.") is followed by the next customer sentence that adds facts. */
function issueDetail(sentences: CallSentence[], issue: CallSentence): CallSentence | undefined {
  if (issue.role !== 'customer' || words(issue.lower).length >= SHORT_ISSUE_WORDS) return undefined;
  const next = sentences.find((s) => s.index > issue.index && s.role === 'customer');
  if (!next || next.turnIndex - issue.turnIndex > 2) return undefined;
  const text = stripOpeners(next.text);
  if (SMALL_TALK.test(text) || COURTESY.test(text) || /^(?:thanks|thank you)\b/i.test(next.text) || informativeness(next) < 3) return undefined;
  return next;
}

interface AgentMove {
  kind: 'request' | 'action' | 'statement';
  sentence: CallSentence;
  /** For a request: what the customer is asked to do, from its verb on. */
  task?: string;
}

/**
 * The agent's most telling sentence (something done or promised, a request of the customer, or an
 * explanation), and a second one of another kind when the agent both asked and did or explained.
 */
function pickAgentMoves(sentences: CallSentence[], issue: CallSentence | undefined): AgentMove[] {
  const scored: { move: AgentMove; score: number }[] = [];
  let rank = 0;
  for (const s of sentences) {
    if (s.role !== 'agent' || s === issue) continue;
    const text = stripOpeners(s.text);
    if (SMALL_TALK.test(text) || COURTESY.test(text)) continue;
    const info = Math.min(informativeness(s), MAX_INFORMATIVE);
    if (info < 2) continue;
    const request = REQUEST_LEAD.exec(text) ?? (IMPERATIVE.test(text) && !/\?\s*$/.test(text) ? /^/.exec(text) : null);
    const task = request ? text.slice(request[0].length).replace(/^to\s+/i, '').trim() : '';
    let move: AgentMove;
    let bonus: number;
    if (request && /^[a-z]/i.test(task)) {
      move = { kind: 'request', sentence: s, task };
      bonus = 3;
    } else if (ACTION_CUES.test(s.text)) {
      move = { kind: 'action', sentence: s };
      // Something already done on the call says more than a promise.
      bonus = /\b(?:i've|i have|i just|i went ahead|we've|we have)\b/i.test(s.text) ? 8 : 4;
    } else {
      move = { kind: 'statement', sentence: s };
      bonus = /\?\s*$/.test(s.text) ? 0 : 1;
    }
    scored.push({ move, score: info + bonus - rank * AGENT_POSITION_COST });
    rank += 1;
  }
  scored.sort((a, b) => b.score - a.score || a.move.sentence.index - b.move.sentence.index);
  const first = scored[0]?.move;
  if (!first) return [];
  const second = scored.find(({ move }) => move.kind !== first.kind && move.sentence.turnIndex !== first.sentence.turnIndex)?.move;
  return (second ? [first, second] : [first]).sort((a, b) => a.sentence.index - b.sentence.index);
}

function agentSentence(move: AgentMove): string {
  if (move.kind === 'request' && move.task) {
    return `The agent asked the customer to ${fragment(retell(move.task, REQUEST_VOICE))}.`;
  }
  const retold = retell(stripOpeners(move.sentence.text), AGENT_VOICE);
  return /\?\s*$/.test(move.sentence.text) ? `The agent asked ${fragment(retold)}.` : `The agent said ${fragment(retold)}.`;
}

/** Content words, less for small talk, placeholders and identity checks. */
function informativeness(s: CallSentence): number {
  if (SMALL_TALK.test(s.text.trim())) return -5;
  const tokens = words(s.lower);
  const content = tokens.filter(isContentWord).length;
  const placeholders = (s.text.match(/\[[A-Z_ ]+\]/g) ?? []).length;
  const identity = /\b(?:my name is|this is|date of birth|last four|zip code|postcode|spell that)\b/i.test(s.text) ? 3 : 0;
  return content - placeholders * 2 - identity - (tokens.length > 0 && tokens.every((w) => STOPWORDS.has(w)) ? 3 : 0);
}

/**
 * One sentence's worth of words: no inner sentence breaks, no end punctuation, lower-case start. Past
 * `maxWords` it ends at the last clause boundary (comma, "and", "but", "so", ...) that keeps enough
 * of it, so a supervisor reads the gist rather than a ramble; only a run-on without one is clipped.
 */
function fragment(text: string, maxWords = MAX_FRAGMENT_WORDS): string {
  // Sentences come from splitSentences, so an inner break is rare (a clipped piece): defuse it.
  const single = shorten(text.replace(/[.!?]+\s+(?=[A-Z0-9"'([])/g, '; '), maxWords);
  let out = clip(single.replace(/[\s.!?,;:]+$/, '').trim(), MAX_FRAGMENT);
  const first = out.split(/\s/, 1)[0] ?? '';
  if (STOPWORDS.has(first.toLowerCase()) && first !== 'I') out = out.charAt(0).toLowerCase() + out.slice(1);
  return out || 'nothing specific';
}

const CLAUSE_BREAK = /(?:[,;:(]|\s[-–—])\s|\s(?=(?:and|but|so|because|which|while|since|although|though|as|or|then|when|if)\s)/g;

function shorten(text: string, maxWords: number): string {
  const tokens = text.trim().split(/\s+/);
  if (tokens.length <= maxWords) return text.trim();
  const minWords = Math.ceil(maxWords / 2);
  let cut = -1;
  for (const m of text.matchAll(CLAUSE_BREAK)) {
    const before = text.slice(0, m.index).trim().split(/\s+/).length;
    if (before > maxWords) break;
    if (before >= minWords) cut = m.index;
  }
  if (cut > 0) return text.slice(0, cut).trim();
  return clip(text, tokens.slice(0, maxWords).join(' ').length + 3);
}

function fit(parts: string[]): string {
  const kept: string[] = [];
  for (const part of parts.map((p) => capitalize(p.trim())).filter(Boolean)) {
    if (countSentences([...kept, part].join(' ')) > MAX_SUMMARY_SENTENCES) break;
    kept.push(part);
  }
  const summary = kept.join(' ').trim();
  return summary ? clip(summary, 2000) : 'The call had no clear statement of the issue.';
}
