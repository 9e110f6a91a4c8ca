import { describe, expect, it } from 'vitest';
import { useKeysForDescendantTests } from './indexed-descendants.js';
import { KeyRegistry } from './pattern-to-select.js';

describe('useKeysForDescendantTests', () => {
  it('answers .//name[@a = literal] and leading //name[@a = literal] from an index', () => {
    const keys = new KeyRegistry('K');
    expect(useKeysForDescendantTests('.//cda:templateId[@root = "1.2"] and not(//cda:code[@code=\'x\'])', keys)).toBe(
      '(key(\'Kk0\', "1.2", .) except .) and not(key(\'Kk1\', \'x\'))',
    );
    expect(keys.keys()).toEqual([
      { name: 'Kk0', match: 'cda:templateId', use: '@root' },
      { name: 'Kk1', match: 'cda:code', use: '@code' },
    ]);
  });

  it.each(['$doc//x[@a = "1"]', 'cda:a//x[@a = "1"]', './/x[@a = "1"][1]', './/x[@a = $v]', './/x[@a]', "'.//x[@a = \"1\"]'", '..//x[@a = "1"]'])(
    'leaves %s alone',
    (expr) => expect(useKeysForDescendantTests(expr, new KeyRegistry('K'))).toBe(expr),
  );
});
