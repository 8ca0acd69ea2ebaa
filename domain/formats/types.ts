import type { TRANSCRIPT_FORMATS } from '../inbound.ts';
import type { Role, Transcript } from '../transcript.ts';

export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];
export type ConcreteFormat = Exclude<TranscriptFormat, 'auto'>;

export interface FormatOptions {
  /**
   * Roles for speaker or channel labels the document does not name a role for:
   * Transcribe `spk_0`/`ch_0`, Twilio media channels `"1"`/`"2"`, WebVTT voice names.
   * Ignored where the document carries roles itself (Call Analytics, Contact Lens, Genesys purposes).
   */
  channelRoles?: Record<string, Role>;
}

/**
 * Where `meta.speakerRoles` came from: the document's own role labels, `options.channelRoles`,
 * a vendor's documented channel convention (Twilio), or the agent-phrase heuristic.
 */
export type RoleSource = 'labels' | 'config' | 'convention' | 'heuristic';

export interface ParsedTranscriptMeta {
  format: ConcreteFormat;
  speakerRoles: Record<string, Role>;
  roleSource: RoleSource;
}

/** A `Transcript` whose meta also says how roles were decided; assignable to `Transcript`. */
export interface ParsedTranscript extends Transcript {
  meta: ParsedTranscriptMeta;
}

/** One speaker's stretch of speech before roles are known. */
export interface Utterance {
  speaker: string;
  text: string;
  startMs?: number;
}
