export type SpeakerRole = 'agent' | 'customer' | 'other';

export interface ModelTurn {
  role: SpeakerRole;
  text: string;
}

/** What the embedded model reads: the turns of one call and the date it took place (YYYY-MM-DD). */
export interface NotesInput {
  turns: ModelTurn[];
  callDate: string;
}

/** One sentence of the call, with where it was said; every extractor works on these. */
export interface CallSentence {
  role: SpeakerRole;
  turnIndex: number;
  /** Position among all sentences of the call, 0-based. */
  index: number;
  text: string;
  lower: string;
}

export interface AnalyzedCall {
  callDate: string;
  turnCount: number;
  sentences: CallSentence[];
}
