import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CALL_NOTES_TOOL_SCHEMA } from '#domain/notes-tool-schema.ts';
import { callNotesJsonSchema } from '#domain/notes.ts';
import { callNotesToolSchema, NOTES_TOOL_SCHEMA_FILE, renderNotesToolSchemaModule } from '../../scripts/gen-notes-schema.ts';

describe('Module: domain/notes-tool-schema.ts', () => {
  it('is the JSON Schema of the current CallNotesSchema (else run `npm run gen:schema`)', () => {
    // Serialized, so that key order (the bytes sent to the model with every call) counts too.
    expect(JSON.stringify(CALL_NOTES_TOOL_SCHEMA, null, 2)).toBe(JSON.stringify(callNotesToolSchema(), null, 2));
  });

  it('is the file the generator writes, unedited', () => {
    expect(readFileSync(NOTES_TOOL_SCHEMA_FILE, 'utf8')).toBe(renderNotesToolSchemaModule(callNotesToolSchema()));
  });

  it('carries structure only: no $schema, lengths, patterns or additionalProperties', () => {
    expect(JSON.stringify(CALL_NOTES_TOOL_SCHEMA)).not.toMatch(/"(\$schema|pattern|minLength|maxLength|additionalProperties)"/);
    expect(CALL_NOTES_TOOL_SCHEMA).toMatchObject({ type: 'object', required: ['summary', 'topics', 'actionItems', 'outcome'] });
  });

  it('callNotesJsonSchema gives each caller its own copy', () => {
    const first = callNotesJsonSchema();
    (first.properties as Record<string, unknown>).summary = 'changed';
    expect(callNotesJsonSchema()).toEqual(CALL_NOTES_TOOL_SCHEMA);
  });
});
