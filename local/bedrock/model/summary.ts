import { countSentences, type ActionItem, type Outcome } from '../../../domain/notes.ts';
import { AGENT_VOICE, CUSTOMER_VOICE, STOPWORDS, capitalize, clip, isContentWord, retell, stripOpeners, words } from './text.ts';
import type { AnalyzedCall, CallSentence } from './types.ts';

const MAX_FRAGMENT = 240;
const MAX_SUMMARY_SENTENCES = 5;
/** The issue is looked for among the customer's first sentences, where callers state it. */
const ISSUE_WINDOW = 30;

const ISSUE_CUES = /\b(?:problem|issue|trouble|can't|cannot|can not|won't|doesn't|don't|didn't|isn't|wasn't|not working|stopped|broken|lost|stolen|missing|charged|charge|bill|billing|refund|cancel|outage|down|wrong|late|never|error|declined|locked|calling (?:about|because|to)|called (?:about|because)|i need|i want|i'd like|i would like|help with|question about|wondering)\b/i;
const ACTION_CUES = /\b(?:i(?:'ve| have| just| went ahead and)|i(?:'ll| will)|we(?:'ve| have|'ll| will))\s+(?:(?:go ahead and|also|just|now|already|successfully)\s+)*(?:reset|issued|issue|sent|send|refunded|refund|credited|credit|cancel(?:l?ed)?|replaced|replace|ordered|order|updated|update|changed|change|blocked|block|froze|frozen|freeze|scheduled|schedule|booked|book|escalated|escalate|processed|process|applied|apply|waived|waive|fixed|fix|restarted|restart|reactivated|reactivate|unlocked|unlock|submitted|submit|filed|file|opened|open|created|create|arranged|arrange|removed|remove|added|add|reversed|reverse|corrected|correct|adjusted|adjust|activated|activate|disputed|dispute|refreshed|refresh|rebooted|reboot|transfer|transferred|email|emailed|mail|mailed|note|noted|flagged|flag|set up|setup)\b/i;
const SMALL_TALK = /^(?:hi|hello|hey|thanks|thank you|bye|goodbye|yes|yeah|no|ok|okay|sure|great|perfect|alright|um+|uh+|hmm)\b[\s,.!?]*$/i;

const OUTCOME_SENTENCE: Record<Outcome, string> = {
  resolved: 'The customer confirmed the issue was resolved.',
  unresolved: 'The issue was not resolved by the end of the call.',
  escalated: 'The call was escalated to another team or a supervisor.',
  follow_up: 'A follow-up is still open after the call.',
};

/**
 * 2-5 sentences from the call's own words: the customer's issue, what the agent did, and the
 * outcome (with the first open commitment when there is a follow-up). Always fits CallNotesSchema.
 */
export function summarize(call: AnalyzedCall, outcome: Outcome, actionItems: ActionItem[]): string {
  const parts: string[] = [];
  const issue = pickIssue(call.sentences);
  if (issue) {
    const retold = issue.role === 'customer' ? retell(stripOpeners(issue.text), CUSTOMER_VOICE) : stripOpeners(issue.text);
    const isQuestion = /\?\s*$/.test(issue.text);
    const lead = issue.role === 'customer' ? (isQuestion ? 'The customer asked' : 'The customer said') : 'The call opened with';
    parts.push(`${lead} ${fragment(retold)}.`);
  } else {
    parts.push('The call had no clear statement of the issue.');
  }

  const action = pickAction(call.sentences, issue);
  if (action) parts.push(`The agent said ${fragment(retell(stripOpeners(action.text), AGENT_VOICE))}.`);

  const open = outcome === 'follow_up' ? actionItems.find((item) => item.owner !== 'customer') : undefined;
  parts.push(open ? followUpSentence(open) : OUTCOME_SENTENCE[outcome]);

  return fit(parts);
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
    seen += 1;
    const score = informativeness(s) + (ISSUE_CUES.test(s.text) ? 4 : 0) - seen * 0.15;
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best && bestScore > 0 ? best : undefined;
}

function pickAction(sentences: CallSentence[], issue: CallSentence | undefined): CallSentence | undefined {
  let best: CallSentence | undefined;
  let bestScore = -Infinity;
  for (const s of sentences) {
    if (s.role !== 'agent' || s === issue) continue;
    if (!ACTION_CUES.test(s.text)) continue;
    const done = /\b(?:i've|i have|i just|i went ahead|we've|we have)\b/i.test(s.text) ? 3 : 0;
    const score = done + Math.min(informativeness(s), 8);
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
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

/** One sentence's worth of words: no inner sentence breaks, no end punctuation, lower-case start. */
function fragment(text: string): string {
  // Sentences come from splitSentences, so an inner break is rare (a clipped piece): defuse it.
  const single = text.replace(/[.!?]+\s+(?=[A-Z0-9"'([])/g, '; ');
  let out = clip(single.replace(/[\s.!?,;:]+$/, '').trim(), MAX_FRAGMENT);
  const first = out.split(/\s/, 1)[0] ?? '';
  if (STOPWORDS.has(first.toLowerCase()) && first !== 'I') out = out.charAt(0).toLowerCase() + out.slice(1);
  return out || 'nothing specific';
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
