/** The shared body of the CDA mappings: FHIR document Bundle → volet → CDA XML, issues and business keys. */
import type { BusinessKeys, MappingResult } from '../../../src/engine/define.js';
import { error, hasErrors } from '../../../src/engine/issues.js';
import { iiKey } from './datatypes.js';
import { readDocumentBundle } from './document-bundle.js';
import { oidOfSystem, CS } from './oids.js';
import type { CdaVolet } from './volet.js';

export const CDA_CONTENT_TYPE = 'application/xml';

/** Maps a parsed FHIR document Bundle with the volet chosen by Composition.type among `volets`. */
export function mapFhirDocument(value: unknown, volets: readonly CdaVolet[]): MappingResult {
  const { doc, issues } = readDocumentBundle(value);
  if (!doc) return { issues };
  const loinc = (doc.composition.type?.coding ?? []).filter((c) => oidOfSystem(c.system) === CS.LOINC && c.code).map((c) => c.code!);
  const volet = volets.find((v) => loinc.includes(v.loinc));
  if (!volet) {
    const known = volets.map((v) => `${v.loinc} (${v.name})`).join(', ');
    return { issues: [...issues, error('CDA_VOLET_UNKNOWN', `no CDA volet for document type ${loinc.length ? loinc.join(', ') : '(no LOINC code in Composition.type)'}; known: ${known}`, 'Composition.type')] };
  }
  const result = volet.build(doc);
  const all = [...issues, ...result.issues];
  const h = result.header;
  const keys: BusinessKeys = {
    patient: (h?.identity?.ids ?? []).map(iiKey),
    document: h?.id ? [iiKey(h.id)] : [],
    correlation: h?.setId ? [iiKey(h.setId)] : [],
  };
  if (hasErrors(all) || !result.xml) return { issues: all, keys };
  return { output: { content: result.xml, contentType: CDA_CONTENT_TYPE }, issues: all, keys };
}
