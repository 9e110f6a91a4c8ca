import { describe, expect, it } from 'vitest';
import { decodeXml, xmlEncoding } from './decode-xml.js';

describe('decodeXml', () => {
  it('follows the BOM, then the encoding declaration, else UTF-8', () => {
    expect(xmlEncoding(Buffer.from('\uFEFF<a/>'))).toBe('utf-8');
    expect(xmlEncoding(Buffer.from([0xff, 0xfe, 0x3c, 0]))).toBe('utf-16le');
    expect(xmlEncoding(Buffer.from("<?xml version='1.0' encoding='ISO-8859-1'?><a/>"))).toBe('iso-8859-1');
    expect(xmlEncoding(Buffer.from('<a/>'))).toBe('utf-8');
  });

  it('decodes', () => {
    expect(decodeXml(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>', 'latin1'))).toBe(
      '<?xml version="1.0" encoding="ISO-8859-1"?><a>é</a>',
    );
    expect(decodeXml(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<a>é</a>')]))).toBe('<a>é</a>');
    expect(decodeXml('<a/>')).toBe('<a/>');
  });
});
