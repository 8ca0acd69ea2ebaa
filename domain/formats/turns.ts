import { parseTurns as parseTurnList } from '../transcript.ts';
import { decodeJsonDocument } from './document.ts';
import type { ParsedTranscript } from './types.ts';

/** `turns` format (`[{role, text, startMs?}]`, also as a JSON string): roles are given outright. */
export function parseTurns(callId: string, raw: unknown): ParsedTranscript {
  const json = decodeJsonDocument('turns', raw, 'a JSON array [{"role":"agent"|"customer"|"other","text":"...","startMs"?:number}]');
  const transcript = parseTurnList(callId, json);
  return { ...transcript, meta: { ...transcript.meta, format: 'turns', roleSource: 'labels' } };
}
