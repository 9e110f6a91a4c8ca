import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowSchemaDirectory, isAllowedSchemaFile, toLocalPath } from './libxml-schema-files.js';

describe('schema file access for libxml2', () => {
  const dir = path.resolve('/srv/relais-test-schemas/cda');

  it('maps absolute paths and file URLs, never network URLs or relative paths', () => {
    expect(toLocalPath(path.join(dir, 'a.xsd'))).toBe(path.join(dir, 'a.xsd'));
    expect(toLocalPath(pathToFileURL(path.join(dir, 'b c.xsd')).href)).toBe(path.join(dir, 'b c.xsd'));
    expect(toLocalPath('http://example.org/a.xsd')).toBeUndefined();
    expect(toLocalPath('a.xsd')).toBeUndefined();
  });

  it('serves only files below an allowed directory, after resolving ..', () => {
    allowSchemaDirectory(dir);
    expect(isAllowedSchemaFile(path.join(dir, 'general/datatypes.xsd'))).toBe(true);
    expect(isAllowedSchemaFile(path.join(dir, '../../../etc/passwd'))).toBe(false);
    expect(isAllowedSchemaFile(`${dir}-sibling/x.xsd`)).toBe(false);
  });
});
