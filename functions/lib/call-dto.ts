import type { StoredCall } from '#domain/ports.ts';

/** The call as the API shows it: what a reviewer needs, not storage details. */
export function callDto(call: StoredCall) {
  return {
    callId: call.callId,
    agentId: call.agentId,
    queue: call.queue ?? null,
    startedAt: call.startedAt,
    language: call.language ?? null,
    status: call.status,
    notes: call.notes,
    model: { id: call.model.id, version: call.model.version },
    usage: call.usage,
    latencyMs: call.latencyMs,
    transcript: { uri: call.transcriptUri, format: call.format, turnCount: call.turnCount, speakerRoles: call.speakerRoles },
    processedAt: call.processedAt,
  };
}
