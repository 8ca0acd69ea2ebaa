import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallNotesSchema } from '#domain/notes.ts';
import { startIngestPipeline, type IngestPipeline } from '#local/pipeline.ts';
import type { LocalStack } from '#local/stack.ts';
import { startTestStack } from '../support/local-stack.ts';

const PLANTED = {
  cards: ['4111 1111 1111 1111', '5500-0000-0000-0004', '4012888888881881'],
  spokenCard: 'four one one one, one one one one, one one one one, one one one one',
  ssns: ['123-45-6789', '078-05-1120'],
  emails: ['jane.doe@example.com', 'm.smith+bills@mail.example.org'],
  phones: ['(415) 555-0132', '+44 20 7946 0958'],
};
const secrets = [...PLANTED.cards, ...PLANTED.ssns, ...PLANTED.emails, ...PLANTED.phones];
/** The secret's digits with any separators between them, so "4111-1111…" and "4111 1111…" both match. */
const digitPattern = (s: string) => new RegExp(s.replace(/\D/g, '').split('').join('[\\s.()+-]*'));

describe('Integration: privacy and long calls on the local stack', () => {
  let stack: LocalStack;
  let pipeline: IngestPipeline;

  beforeAll(async () => {
    stack = await startTestStack();
    pipeline = await startIngestPipeline(stack, { env: { LOG_LEVEL: 'ERROR' } });
  });

  afterAll(async () => {
    await pipeline?.stop();
    await stack?.close();
  });

  it('keeps planted card numbers, SSNs, emails and phone numbers out of every stored item and S3 object', async () => {
    const transcript = [
      { role: 'agent', text: 'Thanks for calling, can I have the card number on the account?' },
      { role: 'customer', text: `Sure, it's ${PLANTED.cards[0]}. The other one is ${PLANTED.cards[1]} and the old one ${PLANTED.cards[2]}.` },
      { role: 'customer', text: `Or read it out: ${PLANTED.spokenCard}.` },
      { role: 'agent', text: 'And to verify, your social security number?' },
      { role: 'customer', text: `It's ${PLANTED.ssns[0]}, and my husband's is ${PLANTED.ssns[1]}.` },
      { role: 'agent', text: 'What email and phone should we use for the refund confirmation?' },
      { role: 'customer', text: `Email ${PLANTED.emails[0]} or ${PLANTED.emails[1]}, phone ${PLANTED.phones[0]}, or my UK number ${PLANTED.phones[1]}.` },
      { role: 'agent', text: 'Thank you. I will email you the refund confirmation today.' },
    ];
    const body = { type: 'call.transcript.v1', callId: 'pii-1', agentId: 'agent-p', startedAt: '2026-11-20T10:00:00Z', format: 'turns', transcript };

    const [id] = await pipeline.send([JSON.stringify(body)]);
    const outcome = (await pipeline.waitFor([id!], 20_000)).get(id!);

    expect(outcome?.status).toBe('processed');
    const doc = DynamoDBDocumentClient.from(stack.clients.dynamodb);
    const { Items = [] } = await doc.send(new ScanCommand({ TableName: stack.resources.table }));
    const objects = await stack.clients.s3.send(new ListObjectsV2Command({ Bucket: stack.resources.bucket }));
    const stored = [JSON.stringify(Items)];
    for (const object of objects.Contents ?? []) {
      const got = await stack.clients.s3.send(new GetObjectCommand({ Bucket: stack.resources.bucket, Key: object.Key! }));
      stored.push(await got.Body!.transformToString());
    }
    const everything = stored.join('\n');
    for (const secret of secrets) {
      expect(everything).not.toContain(secret);
      if (secret.replace(/\D/g, '').length >= 9) expect(everything).not.toMatch(digitPattern(secret));
    }
    expect(everything).not.toContain('one one one one, one one one one');
    expect(Items.find((i) => i.entity === 'call')?.redactions).toMatchObject({ CARD: 4, SSN: 2, EMAIL: 2, PHONE: 2 });
  });

  it('turns a two-hour call delivered through S3 into one merged set of notes', async () => {
    const topics = ['router resets', 'billing credit', 'technician visit', 'plan change', 'password reset'];
    const turns = Array.from({ length: 1_500 }, (_, i) => {
      const topic = topics[Math.floor(i / 300)]!;
      return i % 2
        ? { role: 'customer', text: `About the ${topic}, it happened again around minute ${Math.floor(i / 12)} and I had to wait a long time on hold before anyone answered me.` }
        : { role: 'agent', text: `I understand, let me look at the ${topic} on your account; I can see the notes from earlier and I will add this one as well, step ${i}.` };
    });
    const key = 'incoming/two-hour-call.json';
    await stack.clients.s3.send(new PutObjectCommand({ Bucket: stack.resources.bucket, Key: key, Body: JSON.stringify(turns), Metadata: { 'agent-id': 'agent-long', 'started-at': '2026-11-19T08:00:00Z' } }));
    const notification = { Records: [{ eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: stack.region, eventTime: '2026-11-19T10:05:00.000Z', eventName: 'ObjectCreated:Put', s3: { bucket: { name: stack.resources.bucket }, object: { key } } }] };

    const [id] = await pipeline.send([JSON.stringify(notification)]);
    const outcome = (await pipeline.waitFor([id!], 60_000)).get(id!);

    expect(outcome?.status, JSON.stringify(outcome)).toBe('processed');
    if (outcome?.status !== 'processed') return;
    expect(outcome.call.turnCount).toBe(1_500);
    expect(outcome.call.parts).toBeGreaterThan(1);
    expect(CallNotesSchema.safeParse(outcome.notes).success).toBe(true);
  }, 90_000);
});
