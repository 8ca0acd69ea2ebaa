/**
 * zod as the domain and the functions use it: the tree-shakable functional API (`zod/mini`), so a
 * Lambda bundle carries only the parts of zod its schemas use, with zod's English issue messages.
 * zod/mini loads no locale (every issue would read "Invalid input"), and these messages reach
 * people: stored rejection reasons, the API's problem details, CLI errors, the model's repair prompt.
 *
 * Import zod from here (`import * as z from './zod.ts'`), not from 'zod/mini', so the messages are
 * set wherever a schema is. Only the English locale is imported: `z.locales.en()` would pull every
 * locale into the bundle.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
