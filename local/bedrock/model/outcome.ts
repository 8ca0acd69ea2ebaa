import type { ActionItem, Outcome } from '../../../domain/notes.ts';
import type { AnalyzedCall, CallSentence } from './types.ts';

const ESCALATION = /\b(?:transfer(?:ring)? (?:you|the call|your call)|escalat(?:e|ed|ing|ion)|(?:my|a|the) (?:supervisor|manager|team lead)|(?:tier|level) (?:2|two|3|three)|(?:second|higher)[- ]level|specialist team)\b/i;
const REFUSAL = /\b(?:can't|cannot|can not|unable to|not able to|won't|don't need|no need)\b/i;
const FOLLOW_UP = /\b(?:call you back|get back to you|follow(?:ing)?[- ]up|reach out to you|check back|circle back|(?:ticket|case|reference) number|we'll (?:call|contact|email|text) you|will (?:call|contact|email) you)\b/i;
const RESOLVED_STRONG = /\b(?:(?:that|it|this) (?:fixed|solved|worked|did) (?:it|the trick)|(?:it|that)(?:'s| is) (?:working|fixed|sorted|resolved)|works now|working now|all set|problem solved|issue (?:is )?resolved|all sorted|that resolves|back up and running|(?:i|we) can (?:log|sign) in now|(?:that|it)(?:'s| is) back)\b/i;
const RESOLVED_WEAK = /\b(?:that(?:'s| is| was) (?:all|everything|it|all i needed|great|perfect|helpful)|thank(?:s| you)[^.?!]*(?:help|much|appreciate)|appreciate (?:it|your help|the help)|you(?:'ve| have) been (?:very |really |so )?helpful|nothing else|no,? that(?:'s| is) it)\b/i;
const UNRESOLVED = /\b(?:still (?:not|doesn't|don't|isn't|can't|broken|down)|not (?:fixed|resolved|working)|didn't (?:work|help)|doesn't work|no luck|same (?:issue|problem)|not happy|unacceptable|cancel my)\b/i;

/**
 * escalated (a transfer or supervisor hand-off by the agent) > follow_up (a callback or ticket, or
 * open agent/company commitments with a date) > resolved (the customer confirms it works, or thanks
 * and ends the call) > unresolved.
 */
export function decideOutcome(call: AnalyzedCall, actionItems: ActionItem[]): Outcome {
  const { sentences } = call;
  const lateStart = lateIndex(sentences);
  let escalated = false;
  let followUp = false;
  let strong = false;
  let weak = false;
  let complaint = false;
  for (const s of sentences) {
    if (s.role !== 'customer' && ESCALATION.test(s.text) && !REFUSAL.test(s.text)) escalated = true;
    if (s.role !== 'customer' && FOLLOW_UP.test(s.text)) followUp = true;
    if (s.index < lateStart) continue;
    if (RESOLVED_STRONG.test(s.text)) strong = true;
    if (s.role === 'customer' && RESOLVED_WEAK.test(s.text)) weak = true;
    if (s.role === 'customer' && UNRESOLVED.test(s.text)) complaint = true;
  }
  if (escalated) return 'escalated';
  if (followUp) return 'follow_up';
  if (strong && !complaint) return 'resolved';
  if (actionItems.some((item) => item.owner !== 'customer' && item.due !== null && item.due >= call.callDate)) return 'follow_up';
  if (weak && !complaint) return 'resolved';
  return 'unresolved';
}

/** Resolution is judged on the last third of the call (at least the last 6 sentences). */
function lateIndex(sentences: CallSentence[]): number {
  return Math.max(0, Math.min(Math.floor(sentences.length * (2 / 3)), sentences.length - 6));
}
