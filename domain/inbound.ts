import { z } from 'zod';
import { InvalidMessageError } from './errors.ts';

export const TRANSCRIPT_FORMATS = [
  'auto', 'turns', 'text', 'transcribe', 'transcribe-call-analytics', 'contact-lens', 'genesys', 'twilio', 'webvtt',
] as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Inbound SQS message, versioned by `type` (DESIGN §4). */
export const InboundMessageSchema = z
  .object({
    type: z.literal('call.transcript.v1', { error: 'must be "call.transcript.v1"' }),
    callId: z.string().regex(idPattern, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"'),
    agentId: z.string().regex(idPattern, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"'),
    queue: z.string().max(128).optional(),
    startedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-23T14:05:00Z' }),
    language: z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en-US').optional(),
    format: z.enum(TRANSCRIPT_FORMATS).default('auto'),
    transcript: z.unknown().optional(),
    transcriptS3Uri: z.string().regex(/^s3:\/\/[^/]+\/.+$/, 'must look like s3://bucket/key').optional(),
  })
  .refine((m) => (m.transcript === undefined) !== (m.transcriptS3Uri === undefined), {
    message: 'exactly one of transcript or transcriptS3Uri is required',
    path: ['transcript'],
  });

export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/** Parse the raw SQS body; every failure names the field and what was expected. */
export function parseInboundMessage(body: string): InboundMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new InvalidMessageError('body', `not valid JSON (${(error as Error).message}); send a JSON object with type "call.transcript.v1"`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidMessageError('body', 'expected a JSON object with type "call.transcript.v1"');
  }
  const parsed = InboundMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : 'body';
    throw new InvalidMessageError(field, issue.message);
  }
  return parsed.data;
}

/** Best-effort ids from a message that failed validation, so the rejection can be found later. */
export function salvageIds(body: string): { callId?: string; agentId?: string } {
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    return {
      callId: typeof json.callId === 'string' && idPattern.test(json.callId) ? json.callId : undefined,
      agentId: typeof json.agentId === 'string' && idPattern.test(json.agentId) ? json.agentId : undefined,
    };
  } catch {
    return {};
  }
}
