import type { Role } from '../transcript.ts';
import type { RoleSource, Utterance } from './types.ts';

/** Label for speech the document does not attribute to anyone (no diarization, mono audio, untagged cues). */
export const UNLABELLED = 'unlabelled';

const ROLE_WORDS = new Map<string, Role>(Object.entries({
  agent: 'agent', rep: 'agent', representative: 'agent', advisor: 'agent', adviser: 'agent', operator: 'agent',
  support: 'agent', associate: 'agent', specialist: 'agent', internal: 'agent',
  customer: 'customer', caller: 'customer', client: 'customer', member: 'customer', user: 'customer',
  external: 'customer', contact: 'customer',
  ivr: 'other', bot: 'other', system: 'other', supervisor: 'other', acd: 'other',
} satisfies Record<string, Role>));

/** The role a label names outright ("Agent", "Caller 1", "customer (Jane)"), if any. */
export function roleFromLabel(label: string): Role | undefined {
  const lower = label.toLowerCase();
  if (/\b(?:customer|client|member) (?:service|support|care|success|relations)\b/.test(lower)) return 'agent';
  const words = lower.match(/[a-z]+/g) ?? [];
  for (const word of words.slice(0, 3)) {
    const role = ROLE_WORDS.get(word);
    if (role) return role;
  }
  return undefined;
}

/**
 * Agent phrases and their weights. "my name is … and I" is weak (callers say it too); phrases
 * typical of callers count against a speaker. Only a speaker's first few turns are read, since
 * the greeting and the offer to help come early.
 */
const AGENT_SIGNALS: Array<[RegExp, number]> = [
  [/\bthanks? (?:you )?for (?:calling|contacting|holding|reaching out)\b/, 3],
  [/\bhow (?:can|may|could) (?:i|we) (?:help|assist)\b/, 3],
  [/\bwhat can i (?:do|help you with)\b/, 2],
  [/\bthis is \w+(?: \w+)? (?:with|from|at) \w/, 2],
  [/\bis there anything else\b/, 2],
  [/\bmy name is \w+(?: \w+)?,? and i\b/, 1],
  [/\b(?:let me|i'll|i will) (?:pull up|look up|check) (?:your|the)\b/, 1],
  [/\bcan i (?:get|have) your (?:name|account|order|phone|email)\b/, 1],
  [/\bi(?:'m| am) calling (?:about|because|to)\b/, -2],
  [/\bcan you help me\b/, -1],
];
const EARLY_TURNS = 4;
const SCAN_CHARS = 600;

function agentScore(texts: string[]): number {
  let score = 0;
  for (const text of texts) {
    const lower = text.slice(0, SCAN_CHARS).toLowerCase().replace(/[’‘]/g, "'");
    for (const [pattern, weight] of AGENT_SIGNALS) if (pattern.test(lower)) score += weight;
  }
  return score;
}

/**
 * Decide a role for every speaker in `utterances`. `known` roles (from the document, config or a
 * vendor convention) are kept; the rest come from this heuristic:
 * - the two speakers with the most words are the main speakers; any further speaker is 'other';
 * - a role already given in `known` is not handed out again (a second agent becomes 'other');
 * - of the main speakers without a role, the one whose first turns score highest on agent phrases
 *   ("thank you for calling", "how can I help", "this is … from", "is there anything else", …)
 *   is the agent; with no signal (equal scores) the one who spoke first is; the other is the customer.
 */
export function resolveSpeakerRoles(
  utterances: Utterance[],
  known: ReadonlyMap<string, Role>,
  knownSource: RoleSource,
): { roles: Map<string, Role>; roleSource: RoleSource } {
  const stats = new Map<string, { first: number; words: number; early: string[] }>();
  utterances.forEach((u, index) => {
    const s = stats.get(u.speaker) ?? { first: index, words: 0, early: [] };
    s.words += u.text.split(/\s+/, 2_000).length;
    if (s.early.length < EARLY_TURNS) s.early.push(u.text);
    stats.set(u.speaker, s);
  });

  // A Map, not an object: labels come from the document and may be "__proto__".
  const roles = new Map<string, Role>();
  const unknown: string[] = [];
  for (const speaker of stats.keys()) {
    const role = known.get(speaker);
    if (role) roles.set(speaker, role);
    else unknown.push(speaker);
  }
  if (unknown.length === 0) return { roles, roleSource: knownSource };

  const byWords = [...stats.entries()].sort(([, a], [, b]) => b.words - a.words || a.first - b.first);
  const main = new Set(byWords.slice(0, 2).map(([speaker]) => speaker));
  const taken = new Set(roles.values());
  const candidates = unknown
    .filter((speaker) => main.has(speaker))
    .map((speaker) => ({ speaker, first: stats.get(speaker)!.first, score: agentScore(stats.get(speaker)!.early) }))
    // Highest agent score first while the agent role is free; otherwise lowest first (the customer).
    .sort((a, b) => (taken.has('agent') ? a.score - b.score : b.score - a.score) || a.first - b.first);

  for (const { speaker } of candidates) {
    const role: Role = !taken.has('agent') ? 'agent' : !taken.has('customer') ? 'customer' : 'other';
    roles.set(speaker, role);
    taken.add(role);
  }
  for (const speaker of unknown) if (!roles.has(speaker)) roles.set(speaker, 'other');
  return { roles, roleSource: 'heuristic' };
}

/** Roles from `options.channelRoles` for the labels that occur (invalid role values are ignored). */
export function configuredRoles(labels: Iterable<string>, channelRoles: Record<string, Role> | undefined): Map<string, Role> {
  const roles = new Map<string, Role>();
  if (typeof channelRoles !== 'object' || channelRoles === null) return roles;
  for (const label of labels) {
    const role: unknown = Object.hasOwn(channelRoles, label) ? channelRoles[label] : undefined;
    if (role === 'agent' || role === 'customer' || role === 'other') roles.set(label, role);
  }
  return roles;
}
