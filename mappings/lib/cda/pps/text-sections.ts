/**
 * The two FR-Commentaire-non-code sections (LOINC 55112-7) of the PPS, text only:
 * - COMMENTAIRE SUR LE PATIENT (translation GEN-293) [0..1] ← the Composition section's narrative (text.div).
 * - INFORMATION SUR LES DONNÉES PERSONNELLES VOUS CONCERNANT (GEN-294) [1..1]: the establishment's text (the
 *   Composition section's narrative, if any; else the ANS default text), then the INCa text, always.
 */
import { paragraph, xhtmlToText } from '../narrative.js';
import type { PpsContext } from './context.js';
import { findSection, openSection, SECTION_KEYS } from './sections.js';

/** The paragraphs of a FHIR section narrative (one per line of its text). */
const lines = (div: string | undefined): string[] => xhtmlToText(div).split('\n').filter(Boolean);

const COMMENT_TEMPLATES = ['2.16.840.1.113883.10.12.201', '1.3.6.1.4.1.19376.1.4.1.2.16', '1.2.250.1.213.1.1.2.73'];

/** Texte 1 of the volet, which an establishment may adapt (under its responsibility). */
export const DEFAULT_PRIVACY_TEXT =
  'Les établissements ou professionnels de santé qui mettent en œuvre votre programme thérapeutique et votre suivi, ainsi que ceux qui assurent vos soins oncologiques de support, collectent, pour accomplir leur travail, des données concernant votre santé et votre identité. Ces données sont couvertes par le secret médical et sont strictement confidentielles. Elles sont utilisées sous la responsabilité de ces établissements ou professionnels de santé que vous pouvez solliciter pour être plus informé ou pour exercer vos droits sur vos données.';

/** Texte 2 of the INCa, shown in every PPS after texte 1. */
export const INCA_PRIVACY_TEXT = [
  'Des acteurs de la santé publique sont autorisés à réutiliser certaines de vos données dans le cadre de projets de recherche pour, par exemple, améliorer les connaissances sur les causes de cancer, étudier le parcours et la qualité des soins, évaluer les dispositifs de lutte contre le cancer et, plus largement, conduire des études pour améliorer la prise en charge des patients.',
  'Dans ce cadre et, sauf opposition de votre part, elles pourront être transmises à certains de ces acteurs, notamment, aux registres des cancers de votre région et à l’Institut national du cancer (INCa). Elles pourront ainsi être transférées vers la plateforme de données en cancérologie de l’INCa et, éventuellement, être reliées aux données du Système national des données de santé (SNDS) qui comporte notamment des données de l’assurance maladie et de l’activité hospitalière.',
  'Pour plus d’information sur les registres des cancers, la plateforme des données en cancérologie de l’INCa et sur l’exercice de vos droits, vous pouvez consulter son site http://lesdonnees.e-cancer.fr',
];

export function writePatientCommentSection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.patientComment, 'Commentaire sur le patient');
  const comment = lines(found?.section.text?.div);
  if (!comment.length) return;
  const { text } = openSection({ templateIds: COMMENT_TEMPLATES, key: SECTION_KEYS.patientComment, title: 'COMMENTAIRE SUR LE PATIENT', idPart: 'patient-comment' }, ctx);
  for (const l of comment) paragraph(text, l);
}

export function writePrivacySection(ctx: PpsContext): void {
  const found = findSection(ctx, SECTION_KEYS.privacy, 'Information sur les données personnelles');
  const own = lines(found?.section.text?.div).filter((l) => !INCA_PRIVACY_TEXT.includes(l));
  const { text } = openSection({ templateIds: COMMENT_TEMPLATES, key: SECTION_KEYS.privacy, title: 'INFORMATION SUR LES DONNÉES PERSONNELLES VOUS CONCERNANT', idPart: 'privacy' }, ctx);
  for (const l of [...(own.length ? own : [DEFAULT_PRIVACY_TEXT]), ...INCA_PRIVACY_TEXT]) paragraph(text, l);
}
