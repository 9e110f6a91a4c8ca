import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crapFile, derivedFixtures } from './crap-fixtures.js';

/** The derived CRAP fixtures (ORU messages, envelopes) match their sources; UPDATE_CRAP_FIXTURES=1 rewrites them. */
describe('derived pathology-report fixtures', () => {
  for (const [name, content] of Object.entries(derivedFixtures())) {
    it(`${name} is up to date`, () => {
      const file = crapFile(name);
      if (process.env.UPDATE_CRAP_FIXTURES === '1') {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
      }
      expect(fs.readFileSync(file, 'utf8')).toBe(content);
    });
  }
});
