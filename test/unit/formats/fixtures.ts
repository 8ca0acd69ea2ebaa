import { readFileSync } from 'node:fs';
import type { ConcreteFormat } from '#domain/formats/index.ts';

const DIR = new URL('../../fixtures/transcripts/', import.meta.url);

/** Every transcript fixture and the format it is written in. */
export const TRANSCRIPT_FIXTURES = {
  'transcribe-diarized.json': 'transcribe',
  'transcribe-channels.json': 'transcribe',
  'transcribe-call-analytics.json': 'transcribe-call-analytics',
  'contact-lens-voice.json': 'contact-lens',
  'contact-lens-chat.json': 'contact-lens',
  'genesys.json': 'genesys',
  'twilio.json': 'twilio',
  'webvtt.vtt': 'webvtt',
  'text.txt': 'text',
  'turns.json': 'turns',
} as const satisfies Record<string, ConcreteFormat>;

export type FixtureName = keyof typeof TRANSCRIPT_FIXTURES;

/** The fixture file's text, as it would arrive from S3. */
export function fixtureText(name: FixtureName): string {
  return readFileSync(new URL(name, DIR), 'utf8');
}

/** A fresh parsed copy of a JSON fixture, so a test may change it freely. */
export function fixtureJson<T = Record<string, unknown>>(name: FixtureName): T {
  return JSON.parse(fixtureText(name)) as T;
}
