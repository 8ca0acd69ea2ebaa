import { createHash } from 'node:crypto';
import { InvalidInputError, OversizedInputError, TranscriptFormatError } from './errors.ts';
import { parseInboundMessage, salvageIds, type InboundMessage } from './inbound.ts';
import { writeNotes } from './write-notes.ts';
import type { IngestDeps, StoredCall } from './ports.ts';
import { describe, parseText, parseTurns, type Transcript } from './transcript.ts';

export interface InboundRecord {
  messageId: string;
  body: string;
}

export type IngestResult =
  | { status: 'processed'; call: StoredCall }
  | { status: 'duplicate'; callId: string }
  | { status: 'rejected'; callId?: string; reason: string; field: string; message: string };

/**
 * One inbound message to stored call notes. Input that can never succeed is rejected with a
 * stored reason and acknowledged; anything else that fails is thrown so the message is retried.
 */
export async function ingestCall(record: InboundRecord, deps: IngestDeps): Promise<IngestResult> {
  const receivedAt = deps.clock.now().toISOString();
  let message: InboundMessage;
  let transcript: Transcript;
  try {
    message = parseInboundMessage(record.body);
    transcript = parseTranscript(message, await loadTranscript(message, deps));
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    const ids = salvageIds(record.body);
    const rejection = {
      messageId: record.messageId,
      ...ids,
      reason: error.reason,
      field: error.field,
      message: error.message,
      rejectedAt: receivedAt,
    };
    await deps.calls.putRejection(rejection);
    return { status: 'rejected', callId: ids.callId, reason: error.reason, field: error.field, message: error.message };
  }

  const transcriptHash = hashTranscript(transcript);
  const existing = await deps.calls.getCall(message.callId);
  if (existing?.transcriptHash === transcriptHash) {
    return { status: 'duplicate', callId: message.callId };
  }

  const transcriptUri = await deps.transcripts.putTranscript(transcript, transcriptHash);
  const written = await writeNotes(transcript, { callDate: message.startedAt.slice(0, 10) }, deps.model);
  const call: StoredCall = {
    callId: message.callId,
    agentId: message.agentId,
    queue: message.queue,
    startedAt: message.startedAt,
    language: message.language,
    status: 'done',
    transcriptHash,
    transcriptUri,
    format: transcript.meta.format,
    speakerRoles: transcript.meta.speakerRoles,
    turnCount: transcript.turns.length,
    notes: written.notes,
    model: { id: deps.model.modelId, version: deps.model.modelVersion, mode: deps.model.mode },
    usage: written.usage,
    latencyMs: written.latencyMs,
    receivedAt,
    processedAt: deps.clock.now().toISOString(),
  };
  const stored = await deps.calls.putCall(call);
  return stored ? { status: 'processed', call } : { status: 'duplicate', callId: message.callId };
}

async function loadTranscript(message: InboundMessage, deps: IngestDeps): Promise<unknown> {
  if (message.transcriptS3Uri !== undefined) {
    const text = await deps.transcripts.readObject(message.transcriptS3Uri);
    if (message.format === 'text') return text;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  const bytes = Buffer.byteLength(typeof message.transcript === 'string' ? message.transcript : JSON.stringify(message.transcript));
  if (bytes > deps.limits.maxInlineBytes) throw new OversizedInputError(bytes, deps.limits.maxInlineBytes);
  return message.transcript;
}

function parseTranscript(message: InboundMessage, raw: unknown): Transcript {
  const format = message.format === 'auto' ? detectFormat(raw) : message.format;
  switch (format) {
    case 'turns':
      return parseTurns(message.callId, raw);
    case 'text':
      return parseText(message.callId, raw);
    default:
      throw new TranscriptFormatError(format, 'format', `format "${format}" is not supported yet; send "turns" or "text"`);
  }
}

function detectFormat(raw: unknown): 'turns' | 'text' {
  if (Array.isArray(raw)) return 'turns';
  if (typeof raw === 'string') return 'text';
  throw new TranscriptFormatError('auto', 'transcript', `could not detect the format of ${describe(raw)}; send turns ([{role, text}]) or text ("Agent: ..." lines), or set format`);
}

/** Identity of a transcript version: a changed transcript for the same call is a new version. */
export function hashTranscript(transcript: Transcript): string {
  const canonical = JSON.stringify(transcript.turns.map((t) => [t.role, t.text]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}
