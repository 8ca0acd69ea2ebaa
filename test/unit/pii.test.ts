import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findPii, luhnValid, redactText, redactTranscript, type PiiType } from '#domain/pii.ts';
import type { Transcript } from '#domain/transcript.ts';

interface Planted {
  type: PiiType;
  sentence: string;
  /** The PII as said, which must not survive. */
  secret: string;
}

const plant = (type: PiiType, before: string, secret: string, after = ''): Planted => ({ type, sentence: `${before}${secret}${after}`, secret });

const CARDS: Planted[] = [
  plant('CARD', 'Sure, the card number is ', '4111 1111 1111 1111', ', expiring next year.'),
  plant('CARD', 'It is ', '4111-1111-1111-1111', ' on the Visa.'),
  plant('CARD', 'Yeah my Mastercard is ', '5105105105105100', ' I think.'),
  plant('CARD', 'The Amex is ', '3782 822463 10005', '.'),
  plant('CARD', 'Discover, ', '6011 1111 1111 1117', ', that is the one.'),
  plant('CARD', 'Okay the card is ', 'four one one one one one one one one one one one one one one one', '.'),
  plant('CARD', 'Sure, it is ', 'four one one one, one one one one, one one one one, one one one one', '.'),
  plant('CARD', 'Number is ', 'five five double five, five five five five, uh, five five five five, four four four four', ', got it?'),
  plant('CARD', 'That one, ', 'four oh one two eight eight eight eight eight eight eight eight one eight eight one', '.'),
  plant('CARD', 'Let me read it, ', 'four 111 one one one one 1111 one one one one', '.'),
  plant('CARD', 'The new card is ', 'four zero one two, eight eight eight eight, um, eight eight eight eight, one eight eight one', ' okay.'),
  plant('CARD', 'Diners card ', '3056 9309 0259 04', ' please.'),
];
const SSNS: Planted[] = [
  plant('SSN', 'My social is ', '123-45-6789', '.'),
  plant('SSN', 'SSN ', '234 56 7890', ', yes.'),
  plant('SSN', 'My social security number is ', 'one two three, four five, six seven eight nine', '.'),
  plant('SSN', 'The social on the account is ', '345678901', ', I believe.'),
  plant('SSN', 'And the last four of my social are ', '6789', '.'),
];
const PHONES: Planted[] = [
  plant('PHONE', 'You can call me at ', '(555) 123-4567', ' tomorrow.'),
  plant('PHONE', 'My cell is ', '555-123-4567', '.'),
  plant('PHONE', 'It is ', '555.123.4567', ' for the office.'),
  plant('PHONE', 'Reach me on ', '+1 555 123 4567', ' anytime.'),
  plant('PHONE', 'My number is ', '5551234567', ', thanks.'),
  plant('PHONE', 'When I am in London it is ', '+44 20 7946 0958', '.'),
  plant('PHONE', 'My number is ', 'five five five, one two three, four five six seven', '.'),
  plant('PHONE', 'Call me back at ', 'one eight hundred five five five one two one two', ' please.'),
];
const EMAILS: Planted[] = [
  plant('EMAIL', 'My email is ', 'jane.doe@example.com', '.'),
  plant('EMAIL', 'Use ', 'bob_smith99@mail.co.uk', ' please.'),
  plant('EMAIL', 'It is ', 'jane dot doe at example dot com', '.'),
  plant('EMAIL', 'My email is ', 'jdoe at gmail dot com', ', all lower case.'),
  plant('EMAIL', 'Send it to ', 'j o h n underscore smith at yahoo dot com', '.'),
  plant('EMAIL', 'That would be ', 'mary dot jones at outlook.com', '.'),
];
const ADDRESSES: Planted[] = [
  plant('ADDRESS', 'I live at ', '123 Main Street, Springfield, IL 62704', '.'),
  plant('ADDRESS', 'Ship it to ', '4567 Oak Avenue Apt 4B', ' please.'),
  plant('ADDRESS', 'My address is ', 'twelve thirty four Elm Street', '.'),
  plant('ADDRESS', 'Send it to ', '89 North Maple Dr. Suite 200', '.'),
  plant('ADDRESS', 'It is ', '742 Evergreen Terrace in Springfield Illinois 62704', '.'),
  plant('ADDRESS', 'The billing address is ', '1600 pennsylvania avenue', '.'),
];
const DOBS: Planted[] = [
  plant('DOB', 'My date of birth is ', '03/14/1985', '.'),
  plant('DOB', 'DOB ', 'March 14th, 1985', '.'),
  plant('DOB', 'I was born on ', 'the fourteenth of March nineteen eighty five', '.'),
  plant('DOB', 'My birthday is ', 'July 4, 1990', '.'),
  plant('DOB', 'Date of birth, uh, ', 'oh three one four one nine eight five', '.'),
];
const PLANTED = [...CARDS, ...SSNS, ...PHONES, ...EMAILS, ...ADDRESSES, ...DOBS];

/** Sentences a call note needs as said: amounts, times, delivery dates, order numbers. */
const NOT_PII = [
  'Your total was $49.99 and the refund is two hundred dollars.',
  'The technician comes Thursday between 8 and 12.',
  'Your order 5531 ships in 5 to 7 business days.',
  'Ticket number 123456 is open.',
  'The refund arrives in 5 days, by March 14th.',
  "My daughter's birthday is Friday so can it arrive by March 14th?",
  'I ordered it at amazon dot com last week.',
  'I waited 45 minutes on the way to the store.',
  'It took 2 days to drive there.',
  'Your appointment is on 04/22/2025 at 3 pm.',
  'The plan costs 29.99 a month for 12 months.',
  'Order number 1234 5678 9012 3456 was shipped.',
  'I called 3 times this week, one two three times!',
  'The confirmation number is 8842017733.',
  'We have 2 lines on the account and 1 tablet.',
  'Call us back at the main line in 2 hours.',
  'Oh, okay, one moment please.',
  'You earned 1,234,567 points this year.',
  'Update the app to version 2.3.4 first.',
  'Hold time is about fifteen minutes, the callback comes at 4:30.',
];

const DIGIT_RUN_RE = /\d+(?:[ -]\d+)*/g;

/** Digit runs (alone, or grouped by single spaces or dashes) that pass Luhn at card length. */
function luhnRuns(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(DIGIT_RUN_RE)) {
    const candidates = [m[0], ...m[0].split(/[ -]/)].map((c) => c.replace(/\D/g, ''));
    for (const digits of candidates) if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) found.push(digits);
  }
  return found;
}

const transcriptOf = (...turns: [Transcript['turns'][number]['role'], string][]): Transcript => ({
  callId: 'call-1',
  turns: turns.map(([role, text]) => ({ role, text })),
  meta: { format: 'turns', speakerRoles: { agent: 'agent', customer: 'customer' } },
});

describe('Function: redactText', () => {
  it.each(PLANTED.map((p) => [p.type, p.secret, p] as const))('redacts %s "%s"', (type, secret, planted) => {
    // Act
    const { text, counts } = redactText(planted.sentence);

    // Assess
    expect(text).not.toContain(secret);
    expect(text).toContain(`[${type}]`);
    expect(counts[type]).toBe(1);
    expect(findPii(text)).toEqual([]);
    expect(text).not.toMatch(/\d{3}/);
  });

  it('plants at least the agreed number of each kind', () => {
    const count = (type: PiiType): number => PLANTED.filter((p) => p.type === type).length;

    expect([count('CARD'), count('SSN'), count('PHONE'), count('EMAIL'), count('ADDRESS'), count('DOB')]).toEqual([12, 5, 8, 6, 6, 5]);
    expect(CARDS.every((c) => luhnValid(c.secret.replace(/\D/g, '')) || /[a-z]/.test(c.secret))).toBe(true);
  });

  it.each(NOT_PII)('leaves "%s" unchanged', (sentence) => {
    const { text, counts } = redactText(sentence);

    expect(text).toBe(sentence);
    expect(counts).toEqual({});
  });

  it('does not take a 16-digit number that fails Luhn for a card', () => {
    const sentence = 'The order is 1234567890123456 and the spoken one is one two three four five six seven eight nine oh one two three four five six.';

    expect(redactText(sentence).text).toBe(sentence);
  });

  it('counts every redaction by type', () => {
    const sentence = 'Card 4111 1111 1111 1111, email a.b@example.org, and call me at 555-123-4567 or 555-987-6543, SSN 123-45-6789.';

    const { text, counts } = redactText(sentence);

    expect(counts).toEqual({ CARD: 1, EMAIL: 1, PHONE: 2, SSN: 1 });
    expect(text).toBe('Card [CARD], email [EMAIL], and call me at [PHONE] or [PHONE], SSN [SSN].');
  });

  it('leaves placeholders and Transcribe [PII] tags alone, and changes nothing the second time', () => {
    const tagged = 'My card is [PII] and my email is [EMAIL], phone [PHONE].';

    expect(redactText(tagged)).toEqual({ text: tagged, counts: {} });
    for (const planted of PLANTED) {
      const once = redactText(planted.sentence).text;
      expect(redactText(once)).toEqual({ text: once, counts: {} });
    }
  });

  it('reads context from the previous turn', () => {
    const dob = redactText('Sure, March 14th, 1985.', { precedingText: 'Can you verify your date of birth for me?' });
    const phone = redactText('five five five one two three four five six seven', { precedingText: "What's the best number to reach you?" });

    expect(dob.text).toBe('Sure, [DOB].');
    expect(phone.text).toBe('[PHONE]');
  });

  it('returns spans in order, without overlaps', () => {
    const spans = findPii('Email jane@x.com, card 4111111111111111, born on 1/2/1990 at 12 Oak Lane.');

    expect(spans.map((s) => s.type)).toEqual(['EMAIL', 'CARD', 'DOB', 'ADDRESS']);
    spans.slice(1).forEach((span, i) => expect(span.start).toBeGreaterThanOrEqual(spans[i]!.end));
  });
});

describe('Property: redactText', () => {
  const fragment = fc.oneof(
    fc.stringMatching(/^\d{1,19}$/),
    fc.constantFrom('4111', '1111', '5105', '4012', '8888', '1881', '555', '123', '4567', '[CARD]', '[PII]', '$', '.', ',', '-', '@', '(', ')', '+1'),
    fc.constantFrom('four', 'one', 'oh', 'double', 'five', 'uh', 'card', 'social', 'number', 'phone', 'born', 'at', 'dot', 'com', 'Street', 'Main', 'March', 'email'),
    fc.string({ maxLength: 6 }),
  );
  const noisyText = fc.array(fc.tuple(fragment, fc.constantFrom(' ', '-', ', ', '', '  ')), { maxLength: 40 }).map((parts) => parts.map(([f, sep]) => f + sep).join(''));

  it('never throws, leaves no Luhn-valid 13-19 digit run, and is a fixpoint', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        const once = redactText(text).text;
        expect(luhnRuns(once)).toEqual([]);
        expect(redactText(once).text).toBe(once);
      }),
      { numRuns: 600 },
    );
  });

  it('removes any valid card number however it is grouped or spoken', () => {
    const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    const card = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 18 }).map((digits) => {
      for (let check = 0; check < 10; check++) if (luhnValid([...digits, check].join(''))) return [...digits, check].join('');
      throw new Error('unreachable');
    });
    const said = fc.tuple(card, fc.constantFrom('plain', 'spaced', 'dashed', 'spoken', 'spoken-commas')).map(([digits, how]) => {
      const groups = digits.match(/.{1,4}/g)!;
      if (how === 'plain') return { digits, text: digits };
      if (how === 'spaced') return { digits, text: groups.join(' ') };
      if (how === 'dashed') return { digits, text: groups.join('-') };
      const spoken = groups.map((g) => [...g].map((d) => WORDS[Number(d)]).join(' '));
      return { digits, text: spoken.join(how === 'spoken' ? ' ' : ', ') };
    });

    fc.assert(
      fc.property(said, fc.constantFrom('My card is ', 'Sure, it is ', 'Okay so '), ({ digits, text }, before) => {
        const out = redactText(`${before}${text}, thanks.`).text;
        expect(out).toBe(`${before}[CARD], thanks.`);
        expect(out).not.toContain(digits);
      }),
      { numRuns: 400 },
    );
  });
});

describe('Function: redactTranscript', () => {
  it('redacts every turn with the previous turn as context, returning a new transcript', () => {
    // Prepare
    const transcript = transcriptOf(
      ['agent', 'Can I get your date of birth?'],
      ['customer', 'March 14th, 1985.'],
      ['agent', 'And the card on file?'],
      ['customer', 'four one one one, one one one one, one one one one, one one one one'],
      ['agent', 'Your refund of $49.99 arrives by March 20th.'],
    );
    const copy = structuredClone(transcript);

    // Act
    const { transcript: redacted, counts } = redactTranscript(transcript);

    // Assess
    expect(redacted.turns.map((t) => t.text)).toEqual([
      'Can I get your date of birth?',
      '[DOB].',
      'And the card on file?',
      '[CARD]',
      'Your refund of $49.99 arrives by March 20th.',
    ]);
    expect(counts).toEqual({ DOB: 1, CARD: 1 });
    expect(transcript).toEqual(copy);
    expect(redacted).not.toBe(transcript);
    expect(redactTranscript(redacted).transcript).toEqual(redacted);
  });

  it('redacts a two-hour call (~1,500 turns, ~150 KB) in well under 100 ms', () => {
    // Prepare
    const lines = [
      'Thanks for holding, I am looking at the account now and I can see the last three statements on file.',
      'Yeah so the bill went up by about twenty dollars, um, and nobody told me why, it was $89.99 and now it is $109.99.',
      'I understand, let me check the plan changes for you, this might take a minute or two while the system loads.',
      'My number is 555-123-4567 if we get cut off, and the card is 4111 1111 1111 1111.',
      'The technician can come Thursday between 8 and 12, and the credit shows in 5 to 7 business days.',
    ];
    const turns = Array.from({ length: 1500 }, (_, i) => [i % 2 ? 'customer' : 'agent', lines[i % lines.length]!] as ['agent' | 'customer', string]);
    const transcript = transcriptOf(...turns);
    const bytes = transcript.turns.reduce((n, t) => n + t.text.length, 0);
    redactTranscript(transcript); // warm up the JIT as a running Lambda would be

    // Act: the best of 5, so a busy test machine does not fail the budget
    let elapsed = Infinity;
    let counts = {};
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      counts = redactTranscript(transcript).counts;
      elapsed = Math.min(elapsed, performance.now() - started);
    }

    // Assess
    expect(bytes).toBeGreaterThan(140_000);
    expect(counts).toEqual({ PHONE: 300, CARD: 300 });
    expect(elapsed).toBeLessThan(100);
  });
});
