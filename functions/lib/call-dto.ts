import type { StoredCall } from '#domain/ports.ts';
import type { ModelScores, ModelVersion } from '#domain/refresh/types.ts';

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

const scores = (s: ModelScores | undefined) =>
  s ? { topicAccuracy: s.topicAccuracy, topicF1: s.topicF1, rougeL: s.rougeL, actionRecall: s.actionRecall, schemaValidRate: s.schemaValidRate } : null;

/** A registry version as the console lists it: its evaluation beside the champion it was measured against. */
export function modelDto(version: ModelVersion) {
  return {
    id: version.id,
    modelId: version.serving?.arn ?? version.job.outputModelArn ?? null,
    version: version.id,
    family: version.family,
    status: version.status,
    reason: version.reason,
    datasetVersion: version.dataset.version,
    jobArn: version.job.arn ?? null,
    createdAt: version.createdAt,
    promotedAt: version.promotedAt ?? null,
    metrics: scores(version.evaluation?.candidate),
    baseline: scores(version.evaluation?.champion),
  };
}
