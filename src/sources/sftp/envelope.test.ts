import { expect, it } from 'vitest';
import { buildSidecarEnvelope, contentTypeOf, sidecarText } from './envelope.js';

it('builds the sidecar envelope parsers read', () => {
  const pdf = Buffer.from('%PDF-1.7 \x00\xff binary');
  const env = JSON.parse(buildSidecarEnvelope({ name: 'CR-1.pdf', bytes: pdf }, { name: 'CR-1.json', text: '{"a":"é"}' }).toString('utf8'));
  expect(env).toEqual({
    document: { name: 'CR-1.pdf', contentType: 'application/pdf', base64: pdf.toString('base64') },
    sidecar: { name: 'CR-1.json', contentType: 'application/json', text: '{"a":"é"}' },
  });
  expect(Buffer.from(env.document.base64, 'base64')).toEqual(pdf);
  // same files, same bytes: the store's content hash recognises the pair
  expect(buildSidecarEnvelope({ name: 'a.pdf', bytes: pdf }, { name: 'a.xml', text: '<x/>' })).toEqual(buildSidecarEnvelope({ name: 'a.pdf', bytes: pdf }, { name: 'a.xml', text: '<x/>' }));
});

it('knows common content types and decodes sidecars strictly as UTF-8', () => {
  expect(contentTypeOf('X.PDF')).toBe('application/pdf');
  expect(contentTypeOf('x.xml')).toBe('application/xml');
  expect(contentTypeOf('x.bin')).toBe('application/octet-stream');
  expect(sidecarText(Buffer.from('\ufeff{"a":1}', 'utf8'))).toBe('{"a":1}');
  expect(sidecarText(Buffer.from([0x7b, 0xe9, 0x7d]))).toBeUndefined(); // latin-1 "é"
});
