/**
 * Section FR-Resultats-evenements [1..1]: how the cancer was discovered (patient from screening, yes/no).
 * FHIR: Observation LOINC 63921-1 "Dépistage du cancer", valueBoolean, effectiveDateTime.
 */
import { humanDate } from '../../datatypes.js';
import { section, simpleObservation } from '../../entries.js';
import { table, yesNo } from '../../narrative.js';
import { LOINC_CODES, SECTION } from '../codes.js';
import { observation, required, uuid, type FrcpContext } from '../context.js';

const TEMPLATES = ['1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9', '1.3.6.1.4.1.19376.1.7.3.1.1.13.7', '1.2.250.1.213.1.1.2.163'];

export function writeDecouverte(ctx: FrcpContext): void {
  const { obs, path } = observation(ctx, LOINC_CODES.DEPISTAGE, 'the mode of discovery of the cancer (patient from screening)', true);
  const screened = obs?.valueBoolean;
  if (obs && typeof screened !== 'boolean') required(ctx, 'valueBoolean on the screening observation (63921-1)', `${path}.valueBoolean`);
  const date = obs?.effectiveDateTime ?? obs?.effectivePeriod?.start;
  const { section: s, text } = section(ctx.body, { templateIds: TEMPLATES, id: uuid(ctx, 'decouverte'), code: SECTION.RESULTATS_EVENEMENTS, title: 'MODE DE DÉCOUVERTE DU CANCER' });
  const ref = ctx.ids.next('depistage');
  table(text, { head: ['Mode de découverte du cancer'], rows: [['Patient issu du dépistage', { text: yesNo(screened), id: ref }, humanDate(date) || '-']] });
  simpleObservation(
    s.ele('entry'),
    {
      id: uuid(ctx, 'decouverte/depistage'),
      code: LOINC_CODES.DEPISTAGE,
      textRef: `#${ref}`,
      effective: date ? { period: { start: date } } : { nullFlavor: 'UNK' },
      value: typeof screened === 'boolean' ? { type: 'BL', value: screened } : { type: 'CD', nullFlavor: 'NI' },
      path,
    },
    ctx.issues,
  );
}
