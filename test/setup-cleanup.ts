import { afterAll } from 'vitest';
import { removeTmpDirs } from './helpers.js';

// Registered before any test file's hooks, so it runs after them (hooks run as a stack): engines and servers the
// file started are stopped before their folders go.
afterAll(removeTmpDirs);
