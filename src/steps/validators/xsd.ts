import path from 'node:path';
import { z } from 'zod';
import { defineValidator } from '../../engine/define.js';
import { compileXsd } from '../../formats/xml/index.js';
import { xmlContentOf } from './xml-content.js';

const options = z.object({
  schema: z.string().min(1).describe('main XSD file, relative to the channel file (e.g. the ANS infrastructure/cda/CDA_extended.xsd)'),
  extraSchemaDirs: z
    .array(z.string().min(1))
    .default([])
    .describe('folders, besides the schema’s own, from which xs:include / xs:import may read (relative to the channel file)'),
});

/**
 * W3C XML Schema validation of the mapped XML (libxml2, see docs/validation.md). The schema is compiled once per
 * channel when the channel starts; includes are read from local files only, documents never load a DTD or entity.
 */
export const xsdValidator = defineValidator({
  type: 'xsd',
  description: 'Validate the mapped XML (e.g. a CDA document) against an XSD schema',
  options,
  async create(o, ctx) {
    const compiled = compileXsd(path.resolve(ctx.baseDir, o.schema), { extraSchemaDirs: o.extraSchemaDirs.map((d) => path.resolve(ctx.baseDir, d)) });
    return async (mapped) => {
      const x = xmlContentOf(mapped, 'xsd');
      return 'issues' in x ? x.issues : compiled.validate(x.xml);
    };
  },
});
