import type { PlannedMessage, PoisonKind } from './messages.ts';

/** A message as sent: its plan entry, the id SQS gave it, and when the send returned. */
export interface SentMessage {
  planned: PlannedMessage;
  messageId: string;
  sentAtMs: number;
}

/** What the table holds at the end, reduced to what accounting needs. */
export interface StoredItem {
  entity: string;
  callId?: string;
  transcriptHash?: string;
  processedAt?: string;
  messageId?: string;
  reason?: string;
}

export interface DeadLetterSeen {
  messageId: string;
  body: string;
  /** What the store says about it (see the dlq command); absent: transient failures exhausted. */
  reason: string;
}

/** Converse calls the emulator answered during the run (deltas of its stats). */
export interface ModelCallCounts {
  converseCalls: number;
  throttled: number;
  timedOut: number;
  malformed: number;
  failed: number;
}

export interface SoakReport {
  sent: number;
  uniqueCalls: number;
  duplicatesSent: number;
  poisonSent: number;
  /** Unique calls with stored notes. */
  processed: number;
  /** Duplicate messages whose call is stored once (no second record). */
  duplicatesAbsorbed: number;
  rejected: { total: number; byReason: Record<string, number> };
  deadLettered: { total: number; byReason: Record<string, number>; byKind: Record<string, number> };
  recordsStored: number;
  duplicateRecords: number;
  /** Messages with more than one rejection item (a redelivered rejection written twice). */
  duplicateRejections: number;
  lost: number;
  lostSample: { messageId: string; kind: string; callId?: string }[];
  /** Messages still on the inbound queue at the end (only when the run timed out). */
  stillQueued: number;
  poison: { sent: number; rejected: number; deadLettered: number; unaccounted: number; byKind: Record<string, { sent: number; rejected: number; deadLettered: number; reasons: string[] }> };
  /** Poison that ended up with stored notes: it should never. */
  poisonStored: number;
  modelCalls: {
    total: number;
    /** Answers that were valid notes or repairs: what a fault-free run would need. */
    successful: number;
    /** Calls the faults forced (each failed attempt; malformed answers that needed a repair). */
    faultForced: { throttled: number; timedOut: number; malformed: number; otherErrors: number };
    successfulPerUniqueCall: number;
    totalPerUniqueCall: number;
  };
  latencyMs: { p50: number; p95: number; max: number; samples: number };
  wallTimeSeconds: number;
  checks: { nothingLost: boolean; noDuplicateRecords: boolean; everyPoisonAccounted: boolean; modelCallsWithinBudget: boolean };
}

export interface AccountingInput {
  sent: SentMessage[];
  items: StoredItem[];
  deadLetters: DeadLetterSeen[];
  model: ModelCallCounts;
  stillQueued: number;
  wallTimeMs: number;
  /** Successful model calls allowed per unique call (1.05: 5% for in-flight duplicates and kills). */
  modelCallBudget?: number;
}

/** Compares what was sent with what the table and the DLQ hold: every message must be one of them. */
export function accountSoak(input: AccountingInput): SoakReport {
  const calls = new Map<string, StoredItem[]>();
  const versions = new Map<string, number>();
  const rejections = new Map<string, StoredItem[]>();
  for (const item of input.items) {
    if (item.entity === 'rejection' && item.messageId) push(rejections, item.messageId, item);
    else if (item.callId && item.transcriptHash) {
      if (item.entity === 'call') push(calls, item.callId, item);
      const version = `${item.entity}|${item.callId}|${item.transcriptHash}`;
      versions.set(version, (versions.get(version) ?? 0) + 1);
    }
  }
  const dead = new Map(input.deadLetters.map((d) => [d.messageId, d]));
  // A DLQ message whose id SQS changed (a redrive) is still found by its body.
  const deadByBody = new Map(input.deadLetters.map((d) => [d.body, d]));

  const rejectedByReason: Record<string, number> = {};
  const deadByReason: Record<string, number> = {};
  const deadByKind: Record<string, number> = {};
  const poisonByKind: SoakReport['poison']['byKind'] = {};
  const lostSample: SoakReport['lostSample'] = [];
  let processed = 0;
  let absorbed = 0;
  let lost = 0;
  let poisonStored = 0;
  const latencies: number[] = [];
  const usedDeadBodies = new Set<DeadLetterSeen>();
  const sentIds = new Set(input.sent.map((s) => s.messageId));

  for (const { planned, messageId, sentAtMs } of input.sent) {
    const kind = planned.kind === 'poison' ? `poison:${planned.poison}` : planned.kind;
    if (planned.kind === 'poison') {
      poisonByKind[planned.poison] ??= { sent: 0, rejected: 0, deadLettered: 0, reasons: [] };
      poisonByKind[planned.poison]!.sent += 1;
    }
    let letter = dead.get(messageId);
    if (!letter) {
      const byBody = deadByBody.get(planned.body);
      if (byBody && !usedDeadBodies.has(byBody) && !sentIds.has(byBody.messageId)) letter = byBody;
    }
    const rejection = rejections.get(messageId)?.[0];
    const stored = planned.callId && planned.kind !== 'poison' ? calls.get(planned.callId)?.[0] : undefined;

    if (planned.kind === 'poison' && planned.callId && calls.has(planned.callId)) poisonStored += 1;
    if (letter) {
      usedDeadBodies.add(letter);
      deadByReason[letter.reason] = (deadByReason[letter.reason] ?? 0) + 1;
      deadByKind[kind] = (deadByKind[kind] ?? 0) + 1;
      if (planned.kind === 'poison') {
        poisonByKind[planned.poison]!.deadLettered += 1;
        addReason(poisonByKind[planned.poison]!.reasons, `dead-lettered: ${letter.reason}`);
      }
    } else if (rejection) {
      const reason = rejection.reason ?? 'unknown';
      rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + 1;
      if (planned.kind === 'poison') {
        poisonByKind[planned.poison]!.rejected += 1;
        addReason(poisonByKind[planned.poison]!.reasons, reason);
      }
    } else if (stored) {
      if (planned.kind === 'call') {
        processed += 1;
        if (stored.processedAt) latencies.push(Date.parse(stored.processedAt) - sentAtMs);
      } else absorbed += 1;
    } else {
      lost += 1;
      if (lostSample.length < 20) lostSample.push({ messageId, kind, callId: planned.callId });
    }
  }

  const uniqueCalls = input.sent.filter((s) => s.planned.kind === 'call').length;
  const poisonSent = input.sent.filter((s) => s.planned.kind === 'poison').length;
  const poisonRejected = Object.values(poisonByKind).reduce((n, k) => n + k.rejected, 0);
  const poisonDead = Object.values(poisonByKind).reduce((n, k) => n + k.deadLettered, 0);
  const sentCallIds = new Set(input.sent.map((s) => s.planned.callId).filter(Boolean));
  const ourCalls = [...calls.entries()].filter(([callId]) => sentCallIds.has(callId));
  const duplicateRecords =
    ourCalls.reduce((n, [, items]) => n + items.length - 1, 0) +
    [...versions.entries()].filter(([key]) => sentCallIds.has(key.split('|')[1])).reduce((n, [key, count]) => n + (key.startsWith('call|') ? 0 : count - 1), 0);
  const { converseCalls, throttled, timedOut, malformed, failed } = input.model;
  const successful = converseCalls - failed - malformed;
  const budget = input.modelCallBudget ?? 1.05;
  const per = (n: number) => (uniqueCalls > 0 ? round(n / uniqueCalls, 3) : 0);

  return {
    sent: input.sent.length,
    uniqueCalls,
    duplicatesSent: input.sent.filter((s) => s.planned.kind === 'duplicate').length,
    poisonSent,
    processed,
    duplicatesAbsorbed: absorbed,
    rejected: { total: sum(rejectedByReason), byReason: rejectedByReason },
    deadLettered: { total: sum(deadByReason), byReason: deadByReason, byKind: deadByKind },
    recordsStored: ourCalls.reduce((n, [, items]) => n + items.length, 0),
    duplicateRecords,
    duplicateRejections: [...rejections.values()].filter((r) => r.length > 1).length,
    lost,
    lostSample,
    stillQueued: input.stillQueued,
    poison: { sent: poisonSent, rejected: poisonRejected, deadLettered: poisonDead, unaccounted: poisonSent - poisonRejected - poisonDead, byKind: poisonByKind },
    poisonStored,
    modelCalls: {
      total: converseCalls,
      successful,
      faultForced: { throttled, timedOut, malformed, otherErrors: failed - throttled - timedOut },
      successfulPerUniqueCall: per(successful),
      totalPerUniqueCall: per(converseCalls),
    },
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: latencies.length ? Math.max(...latencies) : 0, samples: latencies.length },
    wallTimeSeconds: round(input.wallTimeMs / 1000, 1),
    checks: {
      nothingLost: lost === 0,
      noDuplicateRecords: duplicateRecords === 0,
      everyPoisonAccounted: poisonRejected + poisonDead === poisonSent && poisonStored === 0,
      modelCallsWithinBudget: successful <= budget * uniqueCalls,
    },
  };
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function addReason(reasons: string[], reason: string): void {
  if (!reasons.includes(reason)) reasons.push(reason);
}

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export type { PoisonKind };
