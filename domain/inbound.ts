import * as z from './zod.ts';
import { InvalidMessageError } from './errors.ts';

export const TRANSCRIPT_FORMATS = [
  'auto', 'turns', 'text', 'transcribe', 'transcribe-call-analytics', 'contact-lens', 'genesys', 'twilio', 'webvtt',
] as const;

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Inbound SQS message, versioned by `type` (DESIGN §4). */
export const InboundMessageSchema = z
  .object({
    type: z.literal('call.transcript.v1', { error: 'must be "call.transcript.v1"' }),
    callId: z.string().check(z.regex(idPattern, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"')),
    agentId: z.string().check(z.regex(idPattern, 'must be 1-128 characters of letters, digits, ".", "_", ":" or "-"')),
    queue: z.optional(z.string().check(z.maxLength(128))),
    // Stored in UTC so listings by time sort and filter right whatever offset a system sends.
    startedAt: z.pipe(
      z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-23T14:05:00Z' }),
      z.transform((value: string) => new Date(value).toISOString()),
    ),
    language: z.optional(z.string().check(z.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en-US'))),
    format: z._default(z.enum(TRANSCRIPT_FORMATS), 'auto'),
    transcript: z.optional(z.unknown()),
    transcriptS3Uri: z.optional(z.string().check(z.regex(/^s3:\/\/[^/]+\/.+$/, 'must look like s3://bucket/key'))),
  })
  .check(
    z.refine((m) => (m.transcript === undefined) !== (m.transcriptS3Uri === undefined), {
      message: 'exactly one of transcript or transcriptS3Uri is required',
      path: ['transcript'],
    }),
  );

export type InboundMessage = z.infer<typeof InboundMessageSchema>;

/**
 * A message body, JSON-decoded once for everything that reads it (classification, validation,
 * the ids of a rejection, the batch's prefetch), or why it is not JSON.
 */
export type ParsedBody = { json: unknown } | { error: InvalidMessageError };

export function parseBody(body: string): ParsedBody {
  try {
    return { json: JSON.parse(body) };
  } catch (error) {
    // V8's message quotes short bodies whole, and the body may hold PII: give only where it broke.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return { error: new InvalidMessageError('body', `not valid JSON${position ? ` (at character ${position})` : ''}; send a JSON object with type "call.transcript.v1"`) };
  }
}

const asParsed = (body: string | ParsedBody): ParsedBody => (typeof body === 'string' ? parseBody(body) : body);

/** Parse the raw SQS body; every failure names the field and what was expected. */
export function parseInboundMessage(body: string | ParsedBody): InboundMessage {
  const read = asParsed(body);
  if ('error' in read) throw read.error;
  return validateInboundMessage(read.json);
}

function validateInboundMessage(json: unknown): InboundMessage {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidMessageError('body', 'expected a JSON object with type "call.transcript.v1"');
  }
  const result = InboundMessageSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : 'body';
    throw new InvalidMessageError(field, issue.message);
  }
  return result.data;
}

/** Best-effort ids from a message that failed validation, so the rejection can be found later. */
export function salvageIds(body: string | ParsedBody): { callId?: string; agentId?: string } {
  const read = asParsed(body);
  if ('error' in read) return {};
  const json = (read.json ?? {}) as Record<string, unknown>;
  return {
    callId: typeof json.callId === 'string' && idPattern.test(json.callId) ? json.callId : undefined,
    agentId: typeof json.agentId === 'string' && idPattern.test(json.agentId) ? json.agentId : undefined,
  };
}

/** An S3 event notification (ObjectCreated) for a transcript object, as S3 sends it to SQS. */
export const S3NotificationSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:s3'),
        eventName: z.string(),
        eventTime: z.string(),
        s3: z.object({
          bucket: z.object({ name: z.string().check(z.minLength(1)) }),
          object: z.object({ key: z.string().check(z.minLength(1)), size: z.optional(z.number()) }),
        }),
      }),
    )
    .check(z.minLength(1)),
});
export type S3Notification = z.infer<typeof S3NotificationSchema>;

/** What an inbound SQS body is, before its fields are validated. */
export type InboundKind =
  | { kind: 's3-test-event' }
  | { kind: 's3-notification'; notification: S3Notification }
  | { kind: 'message' };

export function classifyInbound(body: string | ParsedBody): InboundKind {
  const read = asParsed(body);
  if ('error' in read) return { kind: 'message' };
  const json = read.json as any;
  if (json?.Event === 's3:TestEvent' && json?.Service === 'Amazon S3') return { kind: 's3-test-event' };
  if (Array.isArray(json?.Records) && json.Records.some((r: any) => r?.eventSource === 'aws:s3')) {
    const parsed = S3NotificationSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidMessageError(issue.path.join('.') || 'Records', `not a valid S3 event notification: ${issue.message}`);
    }
    return { kind: 's3-notification', notification: parsed.data };
  }
  return { kind: 'message' };
}

/** S3 keys arrive URL-encoded in notifications, with '+' for spaces. */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}

/**
 * Builds the call message for a transcript object. Metadata set at upload (`call-id`, `agent-id`,
 * `started-at`, `queue`, `language`, `format`) wins; else the call id is the key's file name and the
 * start time the event time. An object that is itself a call.transcript.v1 message is used as is.
 */
export function messageForObject(
  object: { bucket: string; key: string; eventTime: string },
  document: { body: string; metadata: Record<string, string> },
): InboundMessage {
  const envelope = tryJson(document.body) as Record<string, unknown> | undefined;
  if (envelope && typeof envelope === 'object' && (envelope as any).type === 'call.transcript.v1') {
    return validateInboundMessage(envelope);
  }
  const meta = document.metadata;
  const fileName = object.key.split('/').pop()!.replace(/\.(json|txt|vtt|jsonl)$/i, '');
  const candidate = {
    type: 'call.transcript.v1',
    callId: meta['call-id'] ?? fileName,
    agentId: meta['agent-id'] ?? 'unknown',
    startedAt: meta['started-at'] ?? object.eventTime,
    queue: meta.queue,
    language: meta.language,
    format: meta.format ?? 'auto',
    transcript: envelope ?? document.body,
  };
  // Metadata not set is absent, as in a message that leaves the field out.
  return validateInboundMessage(Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined)));
}

function tryJson(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}
