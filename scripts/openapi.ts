import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '#core/api/openapi.ts';

/**
 * `npm run openapi`: writes docs/openapi.json, the OpenAPI document `npm start` serves, so it can be
 * read without running anything (formatted as Prettier keeps every JSON file of the repository). A test
 * fails while the committed file differs from the generated one.
 */
const file = resolve(import.meta.dirname, '..', 'docs', 'openapi.json');
writeFileSync(file, await format(JSON.stringify(openApiDocument()), { ...(await resolveConfig(file)), filepath: file }));
console.log(`wrote ${file}`);
