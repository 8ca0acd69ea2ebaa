import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestMessage } from '#domain/ingest.ts';
import { fakeDeps, message } from '../support/fakes.ts';

/** Bodies a contact-center system (or a bug in one) might put on the queue. */
const malformedBody = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constant(message()).chain((good) => fc.nat({ max: good.length - 1 }).map((n) => good.slice(0, n))),
  fc
    .record({
      type: fc.oneof(fc.constant('call.transcript.v1'), fc.string({ maxLength: 20 }), fc.integer()),
      callId: fc.oneof(fc.string({ maxLength: 140 }), fc.integer(), fc.constant(undefined)),
      agentId: fc.oneof(fc.constant('agent-1'), fc.string({ maxLength: 5 }), fc.constant(null)),
      startedAt: fc.oneof(fc.constant('2026-11-20T10:00:00Z'), fc.string({ maxLength: 25 })),
      format: fc.oneof(fc.constantFrom('auto', 'turns', 'text', 'transcribe', 'genesys', 'twilio', 'webvtt', 'contact-lens', 'transcribe-call-analytics', 'nope'), fc.integer()),
      transcript: fc.oneof(
        fc.constant([]),
        fc.constant(''),
        fc.string({ maxLength: 200 }),
        fc.array(fc.record({ role: fc.constantFrom('agent', 'customer', 'bot'), text: fc.string({ maxLength: 50 }) }), { maxLength: 5 }),
        fc.array(fc.record({ role: fc.constant('customer'), text: fc.string({ minLength: 1, maxLength: 50 }) }), { minLength: 1, maxLength: 3 }),
        fc.jsonValue({ maxDepth: 3 }),
        fc.constant('x'.repeat(20_000)),
      ),
    })
    .map((m) => JSON.stringify(m)),
);

describe('Function: ingestMessage (property)', () => {
  it('ends every malformed message processed or rejected with a reason, never a crash or a retry', async () => {
    await fc.assert(
      fc.asyncProperty(malformedBody, async (body) => {
        // Prepare
        const deps = fakeDeps();

        // Act: anything thrown here would fail the record and send it round the queue 5 times.
        const results = await ingestMessage({ messageId: 'm1', body }, deps);

        // Assess
        for (const result of results) {
          expect(['processed', 'duplicate', 'rejected', 'ignored']).toContain(result.status);
          if (result.status === 'rejected') {
            expect(result.reason).toMatch(/\w/);
            expect(result.field).toMatch(/\w/);
            expect(result.message.length).toBeGreaterThan(10);
          }
        }
        expect(deps.calls.rejections.length).toBe(results.filter((r) => r.status === 'rejected').length);
      }),
      { numRuns: 2_500, seed: 20261123 },
    );
  });

});
