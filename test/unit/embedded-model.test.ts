import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallNotesSchema, countSentences } from '../../domain/notes.ts';
import { renderPrompt } from '../../domain/prompt.ts';
import type { Transcript } from '../../domain/transcript.ts';
import { generateNotes, parsePromptTranscript, type ModelTurn } from '../../local/bedrock/model/embedded-model.ts';

/** Wednesday: 5 business days later is Wednesday 2024-05-15, "Friday" is 2024-05-10. */
const CALL_DATE = '2024-05-08';

const agent = (text: string): ModelTurn => ({ role: 'agent', text });
const customer = (text: string): ModelTurn => ({ role: 'customer', text });

const lostCardCall: ModelTurn[] = [
  agent('Thank you for calling Acme Bank, my name is Dana. How can I help you today?'),
  customer('Hi.'),
  customer('Yeah, so I lost my debit card yesterday and I think it might have been stolen.'),
  agent("I'm sorry to hear that. Can you confirm your date of birth for me?"),
  customer('[DOB].'),
  agent("Thank you. I've blocked the card ending in [CARD] so nobody can use it. I'll send you a replacement card, it should arrive within 5 business days."),
  customer('Okay. Do I need to do anything else?'),
  agent('Please check your recent transactions and call us back by Friday if you see anything you did not make.'),
  customer("Great, thanks so much for your help, that's all."),
];

const escalationCall: ModelTurn[] = [
  agent('Thanks for calling Northwind Internet, how can I help?'),
  customer('My internet has been down since this morning and I work from home.'),
  agent('I see an outage in your area. I have restarted your modem remotely but it still shows offline.'),
  customer('This is the third time this month. I want to speak to a manager.'),
  agent('I understand. Let me transfer you to my supervisor, please hold.'),
];

const passwordCall: ModelTurn[] = [
  agent('Hello, you are through to Contoso support.'),
  customer("Hi, I'm locked out of my account, I forgot my password and the reset email never came."),
  agent("No problem. I've reset your password and sent a new link to the email on file."),
  customer('Got it. Okay, I can log in now, that fixed it.'),
  agent('Great, is there anything else I can help with?'),
  customer('No, that is all, thanks.'),
];

const callbackCall: ModelTurn[] = [
  customer('I was charged twice for my March bill and I want a refund for the extra charge.'),
  agent('I can see both payments. I have opened a billing dispute for the duplicate charge.'),
  agent('We will call you back tomorrow once the billing team reviews it, and a technician will visit on Friday to check the meter.'),
  customer("Okay, and I'll send the receipt from my bank tonight."),
  agent('Perfect, you need to upload it through the portal by Monday.'),
];

function notesOf(turns: ModelTurn[], callDate = CALL_DATE) {
  return CallNotesSchema.parse(generateNotes({ turns, callDate }));
}

describe('Function: generateNotes', () => {
  describe('lost card call', () => {
    it('labels the topic, the agent commitment with its business-day due date, and the customer request', () => {
      // Act
      const notes = notesOf(lostCardCall);

      // Assess
      expect(notes.topics.some((t) => t.includes('card'))).toBe(true);
      expect(notes.actionItems).toContainEqual({ owner: 'agent', text: expect.stringMatching(/replacement card.*within 5 business days/), due: '2024-05-15' });
      expect(notes.actionItems).toContainEqual({ owner: 'customer', text: expect.stringMatching(/^Check their recent transactions/), due: '2024-05-10' });
      expect(notes.outcome).toBe('follow_up');
    });

    it('summarizes the issue from the customer, what the agent did, and the outcome, in 2-5 sentences', () => {
      // Act
      const { summary } = notesOf(lostCardCall);

      // Assess
      expect(summary).toMatch(/^The customer said they lost their debit card yesterday/);
      expect(summary).toMatch(/The agent said they have blocked the card/);
      expect(summary).not.toMatch(/\bHi\b/);
      expect(countSentences(summary)).toBeGreaterThanOrEqual(2);
      expect(countSentences(summary)).toBeLessThanOrEqual(5);
    });
  });

  describe('outcomes', () => {
    it('marks a transfer to a supervisor as escalated', () => {
      // Act
      const notes = notesOf(escalationCall);

      // Assess
      expect(notes.outcome).toBe('escalated');
      expect(notes.topics).toContain('internet outage');
    });

    it('marks a confirmed fix as resolved', () => {
      // Act
      const notes = notesOf(passwordCall);

      // Assess
      expect(notes.outcome).toBe('resolved');
      expect(notes.topics).toContain('account access');
      expect(notes.summary).toMatch(/reset the customer's password/);
    });

    it('marks a promised callback as follow_up', () => {
      // Act
      const notes = notesOf(callbackCall);

      // Assess
      expect(notes.outcome).toBe('follow_up');
    });

    it('leaves a call with no resolution unresolved', () => {
      // Act
      const notes = notesOf([customer('My package never arrived and the tracking page shows nothing.'), agent('I am sorry, I cannot see that order in our system.'), customer('That does not help me at all.')]);

      // Assess
      expect(notes.outcome).toBe('unresolved');
      expect(notes.topics).toContain('delivery issue');
    });
  });

  describe('action items', () => {
    it('assigns owners: company for we / a technician, customer for their promises and what they are asked to do', () => {
      // Act
      const { actionItems } = notesOf(callbackCall);

      // Assess
      expect(actionItems).toContainEqual({ owner: 'company', text: expect.stringMatching(/^The company will call the customer back tomorrow/), due: '2024-05-09' });
      expect(actionItems).toContainEqual({ owner: 'company', text: expect.stringMatching(/^A technician will visit on Friday/), due: '2024-05-10' });
      expect(actionItems).toContainEqual({ owner: 'customer', text: expect.stringMatching(/^Send the receipt/), due: '2024-05-08' });
      expect(actionItems).toContainEqual({ owner: 'customer', text: expect.stringMatching(/^Upload it through the portal by Monday/), due: '2024-05-13' });
    });

    it('ignores things done on the call itself and deduplicates repeated promises', () => {
      // Prepare
      const turns = [
        agent('Let me check that for you. Please hold for a moment.'),
        agent("I'll send you the confirmation email."),
        agent('I will send you a confirmation email.'),
        customer('Thanks.'),
      ];

      // Act
      const { actionItems } = notesOf(turns);

      // Assess
      expect(actionItems).toEqual([{ owner: 'agent', text: 'Send the customer the confirmation email', due: null }]);
    });
  });

  describe('edge cases', () => {
    it('gives valid notes for an empty call and a one-speaker call', () => {
      // Act
      const empty = generateNotes({ turns: [], callDate: CALL_DATE });
      const monologue = generateNotes({ turns: [agent('Hello? Hello, is anyone there? I will end the call now.')], callDate: CALL_DATE });

      // Assess
      expect(CallNotesSchema.safeParse(empty).success).toBe(true);
      expect(empty.topics).toEqual(['general inquiry']);
      expect(CallNotesSchema.safeParse(monologue).success).toBe(true);
    });

    it('is deterministic', () => {
      // Act
      const runs = [notesOf(lostCardCall), notesOf(lostCardCall), notesOf(structuredClone(lostCardCall))];

      // Assess
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[2]).toEqual(runs[0]);
    });

    it('never throws and always returns schema-valid notes (property)', () => {
      // Prepare
      const phrases = [
        "I'll send you a new card by Friday.", 'we will call you back tomorrow', 'Please return the device within 3 business days.',
        'Let me transfer you to my supervisor.', 'That fixed it, thanks!', 'My bill is wrong.', 'you need to', "I'll", 'I. Am. Here.',
        'Mr. Smith. Dr. Who! E.g. this? Yes.', '[CARD] [EMAIL] [PHONE]', '🙂 très bien, merci', '???!!!...', "we've we'll you're I'm my your",
      ];
      const text = fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.array(fc.constantFrom(...phrases), { maxLength: 12 }).map((p) => p.join(' ')),
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.constantFrom('', ' ', '.', 'hi', 'A'.repeat(5000), `${'word '.repeat(3000)}`),
      );
      const turn = fc.record({ role: fc.constantFrom('agent' as const, 'customer' as const, 'other' as const), text });
      const callDate = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));

      // Act + Assess
      fc.assert(
        fc.property(fc.array(turn, { maxLength: 40 }), callDate, (turns, date) => {
          const result = CallNotesSchema.safeParse(generateNotes({ turns, callDate: date }));
          expect(result.success, JSON.stringify(result.error?.issues)).toBe(true);
        }),
        { numRuns: 300, seed: 42 },
      );
    });
  });
});

describe('Function: parsePromptTranscript', () => {
  it('reads back the call date and turns renderPrompt wrote, in both modes', () => {
    // Prepare
    const transcript: Transcript = {
      callId: 'c1',
      meta: { format: 'turns', speakerRoles: {} },
      turns: [
        { role: 'agent', text: 'Hello, how can I help?' },
        { role: 'customer', text: 'My card: it was stolen.\nAlso the app crashes.' },
        { role: 'other', text: 'Press 1 for billing.' },
      ],
    };

    // Act
    const parsed = (['tool', 'json-text'] as const).map((mode) => parsePromptTranscript(renderPrompt(transcript, { callDate: CALL_DATE, mode }).messages[0]!.text));

    // Assess
    for (const result of parsed) {
      expect(result.callDate).toBe(CALL_DATE);
      expect(result.turns).toEqual([
        { role: 'agent', text: 'Hello, how can I help?' },
        { role: 'customer', text: 'My card: it was stolen. Also the app crashes.' },
        { role: 'other', text: 'Press 1 for billing.' },
      ]);
    }
  });

  it('reads a prompt without tags or labels as one customer turn with no date', () => {
    // Act
    const parsed = parsePromptTranscript('my bill is wrong');

    // Assess
    expect(parsed).toEqual({ callDate: null, turns: [{ role: 'customer', text: 'my bill is wrong' }] });
  });
});

describe('Function: generateNotes (vague commitments)', () => {
  it('leaves out commitments nobody could act on from the notes', () => {
    // Prepare
    const turns = [
      { role: 'customer' as const, text: 'My router keeps dropping the connection every evening.' },
      { role: 'agent' as const, text: 'We will update that. I will send you a replacement router by Friday.' },
      { role: 'customer' as const, text: 'I would like you to—' },
    ];

    // Act
    const notes = generateNotes({ turns, callDate: '2026-11-16' });

    // Assess
    expect(notes.actionItems.map((a) => a.text)).toEqual([expect.stringMatching(/replacement router/i)]);
  });
});
