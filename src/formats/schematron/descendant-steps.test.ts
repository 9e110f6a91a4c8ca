import { describe, expect, it } from 'vitest';
import { useDescendantAxis } from './descendant-steps.js';

describe('useDescendantAxis', () => {
  it.each([
    ['.//cda:templateId[@root = "1.2"]', './descendant::cda:templateId[@root = "1.2"]'],
    ['//svs:Concept[@code=$c and @codeSystem=$s]', '/descendant::svs:Concept[@code=$c and @codeSystem=$s]'],
    ['count(cda:entry//*)', 'count(cda:entry/descendant::*)'],
    ['$doc// x[y]', '$doc/descendant::x[y]'],
    ['a//b//c', 'a/descendant::b/descendant::c'],
  ])('rewrites %s', (input, output) => expect(useDescendantAxis(input)).toBe(output));

  it.each([
    '//para[1]',
    '//para[@a][last()]',
    '//@code',
    '//text()',
    '//child::x',
    '//f(x)',
    '//x[count(y)]',
    "concat('http://a//b', \"//c\")",
    '(: //x :) 1',
  ])('leaves %s alone', (input) => expect(useDescendantAxis(input)).toBe(input));
});
