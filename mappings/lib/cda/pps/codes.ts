/**
 * Codes of the CI-SIS CANCER-PPS 2022.01 volet (programme personnalisé de soins en cancérologie): document, section
 * and entry codes, and the value sets (JDV) of the PPS care steps that the volet schematron checks.
 *
 * The value-set tables are copies of the ANS files (`jeuxDeValeurs/JDV_*.xml`): the mapping is pure and never reads
 * files. `value-sets.test.ts` compares every table with the ANS file. JDVs the PPS shares with the fiche RCP
 * (JDV_PhaseCancer_CISIS, JDV_StatutDoc_CISIS, JDV_ModificateurTopographique_CISIS, JDV_J11_RelationPatient_CISIS)
 * are those of ../cancer-value-sets.ts.
 */
import { JDV_RELATION_PATIENT } from '../cancer-value-sets.js';
import type { Coded } from '../datatypes.js';
import { CS, CS_NAME } from '../oids.js';
import { conceptOf, type ValueSet } from '../value-set.js';

/** The volet: ClinicalDocument templateId and code (LOINC "Plan of care note"), document title, XDS format code. */
export const PPS_DOCUMENT = {
  templateId: { root: '1.2.250.1.213.1.1.1.26', extension: '2022.01' },
  code: { code: '18776-5', displayName: 'Plan personnalisé de soins', codeSystem: CS.LOINC, codeSystemName: 'LOINC' } as Coded,
  title: 'PROGRAMME PERSONNALISÉ DE SOINS EN CANCÉROLOGIE',
  formatCode: 'urn:asip:ci-sis:pps-cancer:2017',
} as const;

/** Code systems the PPS needs beyond the shared ones (`oids.ts`). */
export const PPS_CS = {
  /** INSEE PCS professions (non-health professionals, e.g. social workers). */
  INSEE_PCS: '1.2.250.1.213.2.13',
} as const;

/** A TA_ASIP (ANS terminologies des actes, 1.2.250.1.213.1.1.4.322) concept. */
const ta = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.TA_ASIP, codeSystemName: 'TA_ASIP' });
const sct = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.SNOMED, codeSystemName: 'SNOMED CT' });
const loinc = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.LOINC, codeSystemName: 'LOINC' });

/** TA_ASIP and LOINC codes written by the PPS builders. */
export const C = {
  // Sections
  commentSection: loinc('55112-7', 'Commentaire'),
  patientComment: ta('GEN-293', 'Commentaire sur le patient'),
  privacyInformation: ta('GEN-294', 'Information pour le patient'),
  recommendationReason: loinc('42349-1', 'Raison de la recommandation'),
  cancerDiagnosisSection: loinc('72135-7', 'Diagnostic du cancer'),
  observedEvents: loinc('42545-4', 'Evènements observés'),
  progressNote: loinc('18733-6', 'Note de progression'),
  carePlanSection: loinc('18776-5', 'Plan de soins'),
  therapeuticProgramme: ta('MED-566', 'Programme thérapeutique et de suivi'),
  supportiveCare: ta('MED-567', 'Soins oncologiques de support, accompagnement social et socioprofessionnel'),
  completionStatus: loinc('33557-0', "Etat d'achèvement"),
  referencedDocuments: loinc('55107-7', 'Documents référencés'),
  // Entries
  pediatrics: ta('ORG-116', 'Pédiatrie'),
  problem: sct('55607006', 'problème'),
  screening: loinc('63921-1', 'Dépistage du cancer'),
  cancerPhase: ta('MED-243', 'Phase du cancer'),
  progression: ta('MED-245', 'Progression du cancer'),
  localProgression: ta('MED-246', 'Progression locale du cancer'),
  regionalProgression: ta('MED-247', 'Progression régionale du cancer'),
  distantProgression: ta('MED-248', 'Progression à distance du cancer'),
  provisionalDates: ta('GEN-177', 'Date(s) prévisionnelle(s)'),
  rhythm: ta('ORG-004', 'Rythme'),
  sideEffects: ta('MED-565', 'Effets secondaires'),
  bodyWeight: loinc('29463-7', 'Poids'),
  treatmentsStopped: ta('MED-052', 'Arrêt de tous les traitements actifs'),
  documentStatus: ta('GEN-065', 'Statut du document'),
  updateReason: ta('GEN-037', 'Motif de mise à jour'),
  rcpDate: ta('ORG-189', 'Date de la RCP'),
  handedToPatient: ta('GEN-178', 'Date de remise du document au patient'),
} as const;

export const JDV_TYPE_TRAITEMENT_PPS: ValueSet = {
  name: 'JDV_TypeTraitementPPS_CISIS',
  oid: '1.2.250.1.213.1.1.5.478',
  concepts: [
    ['387713003', '2.16.840.1.113883.6.96', 'intervention chirurgicale'],
    ['C15313', '2.16.840.1.113883.3.26.1.1', 'radiothérapie'],
    ['C15195', '2.16.840.1.113883.3.26.1.1', 'curiethérapie'],
    ['C15632', '2.16.840.1.113883.3.26.1.1', 'chimiothérapie'],
    ['C93352', '2.16.840.1.113883.3.26.1.1', 'thérapie ciblée'],
    ['C15445', '2.16.840.1.113883.3.26.1.1', 'hormonothérapie'],
    ['C15262', '2.16.840.1.113883.3.26.1.1', 'immunothérapie'],
    ['C63334', '2.16.840.1.113883.3.26.1.1', 'Radiologie interventionnelle'],
    ['MED-556', '1.2.250.1.213.1.1.4.322', 'Fenêtre thérapeutique'],
    ['MED-226', '1.2.250.1.213.1.1.4.322', 'Surveillance seule'],
    ['MED-227', '1.2.250.1.213.1.1.4.322', 'Surveillance active'],
    ['C157891', '2.16.840.1.113883.3.26.1.1', 'endoscopie interventionnelle'],
    ['MED-232', '1.2.250.1.213.1.1.4.322', 'Irathérapie'],
    ['MED-126', '1.2.250.1.213.1.1.4.322', 'Allogreffe / Autogreffe'],
    ['GEN-092.03.01', '1.2.250.1.213.1.1.4.322', 'Autre(s) traitement(s)'],
  ],
};

export const JDV_GESTION_EFFETS_SECONDAIRES: ValueSet = {
  name: 'JDV_GestionEffetsSecondaires_CISIS',
  oid: '1.2.250.1.213.1.1.5.477',
  concepts: [['C20427', '2.16.840.1.113883.3.26.1.1', 'facteur de croissance hématopoïétique'], ['GEN-092.04.12', '1.2.250.1.213.1.1.4.322', 'Autre gestion des effets secondaires']],
};

export const JDV_MESURES_ASSOCIEES: ValueSet = {
  name: 'JDV_MesuresAssociees_CISIS',
  oid: '1.2.250.1.213.1.1.5.476',
  concepts: [
    ['ORG-007', '1.2.250.1.213.1.1.4.322', 'Prise en charge des conséquences neurocognitives et endocriniennes'],
    ['ORG-171', '1.2.250.1.213.1.1.4.322', 'Prise en charge des conséquences des tumeurs cérébrales et de leurs traitements'],
    ['MED-555', '1.2.250.1.213.1.1.4.322', 'Contraception'],
    ['ORG-001', '1.2.250.1.213.1.1.4.322', 'Prise en charge spécifique en oncogériatrie'],
    ['GEN-092.04.11', '1.2.250.1.213.1.1.4.322', 'Autre mesure'],
  ],
};

export const JDV_TYPE_DE_SUIVI: ValueSet = {
  name: 'JDV_TypeDeSuivi_CISIS',
  oid: '1.2.250.1.213.1.1.5.76',
  concepts: [['MED-091', '1.2.250.1.213.1.1.4.322', 'Examen de biologie'], ['MED-092', '1.2.250.1.213.1.1.4.322', 'Examen d’imagerie médicale'], ['11429006', '2.16.840.1.113883.6.96', 'consultation'], ['GEN-092.04.06', '1.2.250.1.213.1.1.4.322', 'Autre type de suivi']],
};

export const JDV_SOINS_ONCO_DE_SUPPORT: ValueSet = {
  name: 'JDV_SoinsOncoDeSupport_CISIS',
  oid: '1.2.250.1.213.1.1.5.79',
  concepts: [
    ['ORG-035', '1.2.250.1.213.1.1.4.322', 'Traitement de la douleur'],
    ['ORG-036', '1.2.250.1.213.1.1.4.322', 'Prise en charge diététique et nutritionnelle'],
    ['ORG-174', '1.2.250.1.213.1.1.4.322', 'Continuité de la scolarité'],
    ['ORG-175', '1.2.250.1.213.1.1.4.322', 'Activité physique adaptée'],
    ['ORG-176', '1.2.250.1.213.1.1.4.322', 'Conseil d’hygiène de vie'],
    ['ORG-037', '1.2.250.1.213.1.1.4.322', 'Soutien psychologique des proches et des aidants des personnes atteintes de cancer'],
    ['MED-051', '1.2.250.1.213.1.1.4.322', 'Soutien à la mise en oeuvre de la préservation de la fertilité'],
    ['MED-562', '1.2.250.1.213.1.1.4.322', 'Soutien au sevrage tabagique'],
    ['MED-563', '1.2.250.1.213.1.1.4.322', 'Soutien au sevrage alcoolique'],
    ['MED-564', '1.2.250.1.213.1.1.4.322', 'Soutien au sevrage (autre addiction)'],
    ['GEN-092.04.07', '1.2.250.1.213.1.1.4.322', 'Autre soins de support'],
  ],
};

export const JDV_TYPE_ACCOMPAGNEMENT_SOCIOPRO: ValueSet = {
  name: 'JDV_TypeAccompagnementSocioPro_CISIS',
  oid: '1.2.250.1.213.1.1.5.81',
  concepts: [
    ['PAT-024', '1.2.250.1.213.1.1.4.322', 'Aide à domicile'],
    ['PAT-026', '1.2.250.1.213.1.1.4.322', 'Sortie de l’arrêt de travail (invalidité, retraite, médecine du travail)'],
    ['PAT-027', '1.2.250.1.213.1.1.4.322', 'Reprise du poste ou réinsertion professionnelle'],
    ['GEN-092.04.08', '1.2.250.1.213.1.1.4.322', "Autre type d'accompagnement socioprofessionnel"],
  ],
};

export const JDV_MOTIF_MISE_A_JOUR: ValueSet = {
  name: 'JDV_MotifMiseAJour_CISIS',
  oid: '1.2.250.1.213.1.1.5.83',
  concepts: [
    ['263855007', '2.16.840.1.113883.6.96', 'rechute'],
    ['MED-103', '1.2.250.1.213.1.1.4.322', 'Non réponse ou évolution sous traitement'],
    ['MED-104', '1.2.250.1.213.1.1.4.322', 'Refus de traitement'],
    ['MED-105', '1.2.250.1.213.1.1.4.322', 'Décision de prise en soins palliatifs'],
    ['MED-556', '1.2.250.1.213.1.1.4.322', 'Fenêtre thérapeutique'],
    ['MED-560', '1.2.250.1.213.1.1.4.322', 'Réajustement du programme thérapeutique et de suivi'],
    ['MED-561', '1.2.250.1.213.1.1.4.322', 'Réajustement des soins de support et accompagnements'],
    ['GEN-175', '1.2.250.1.213.1.1.4.322', 'Modification d’informations administratives'],
    ['GEN-176', '1.2.250.1.213.1.1.4.322', 'Modification de calendrier'],
    ['GEN-092.08.02', '1.2.250.1.213.1.1.4.322', 'Autre motif de mise à jour'],
  ],
};

/** JDV_SocialHistoryCodes_CISIS (1.2.250.1.213.1.1.4.2.283.4): the habits (FR-Habitus-Mode-de-vie) a care step addresses. */
export const JDV_SOCIAL_HISTORY: ValueSet = {
  name: 'JDV_SocialHistoryCodes_CISIS',
  oid: '1.2.250.1.213.1.1.4.2.283.4',
  concepts: [
    ['72166-2', '2.16.840.1.113883.6.1', 'Statut tabagique'],
    ['74011-8', '2.16.840.1.113883.6.1', 'Consommation tabagique'],
    ['74013-4', '2.16.840.1.113883.6.1', "Consommation d'alcool"],
    ['11343-1', '2.16.840.1.113883.6.1', 'Consommation de drogue non médicales'],
    ['73985-4', '2.16.840.1.113883.6.1', 'Exercice physique'],
    ['81663-7', '2.16.840.1.113883.6.1', 'Régime'],
    ['92944-8', '2.16.840.1.113883.6.1', 'Exposition à risque'],
    ['8683-5', '2.16.840.1.113883.6.1', 'Exposition professionnelle'],
    ['67875-5', '2.16.840.1.113883.6.1', "Statut d'emploi"],
    ['29556-8', '2.16.840.1.113883.6.1', 'Trouble du comportement'],
    ['11345-6', '2.16.840.1.113883.6.1', 'Autre élément social'],
  ],
};

/** Every table above, for the test that compares them with the ANS files. */
export const PPS_VALUE_SETS: readonly ValueSet[] = [
  JDV_TYPE_TRAITEMENT_PPS,
  JDV_GESTION_EFFETS_SECONDAIRES,
  JDV_MESURES_ASSOCIEES,
  JDV_TYPE_DE_SUIVI,
  JDV_SOINS_ONCO_DE_SUPPORT,
  JDV_TYPE_ACCOMPAGNEMENT_SOCIOPRO,
  JDV_MOTIF_MISE_A_JOUR,
  JDV_RELATION_PATIENT,
  JDV_SOCIAL_HISTORY,
];

/** The two care-plan sections of the PPS (both LOINC 18776-5, told apart by their TA_ASIP translation). */
export type PlanSectionKind = 'programme' | 'support';

/**
 * The kinds of PPS care steps (FR-Acte entries): the procedure code (TA_ASIP) names the kind, the qualifier value
 * the step itself, from the kind's value set. Each kind belongs to one of the two plan sections.
 */
export interface CareStepKind {
  code: Coded;
  valueSet: ValueSet;
  section: PlanSectionKind;
  /** Narrative heading of the kind. */
  label: string;
}

export const CARE_STEP_KINDS: readonly CareStepKind[] = [
  { code: ta('MED-568', 'Traitement'), valueSet: JDV_TYPE_TRAITEMENT_PPS, section: 'programme', label: 'Traitement' },
  {
    code: ta('MED-569', 'Action de prévention et de gestion médicamenteuse des effets secondaires'),
    valueSet: JDV_GESTION_EFFETS_SECONDAIRES,
    section: 'programme',
    label: 'Prévention et gestion des effets secondaires',
  },
  { code: ta('MED-570', 'Mesure associée'), valueSet: JDV_MESURES_ASSOCIEES, section: 'programme', label: 'Mesure associée' },
  { code: ta('MED-571', 'Suivi'), valueSet: JDV_TYPE_DE_SUIVI, section: 'programme', label: 'Suivi' },
  { code: ta('MED-572', 'Soin oncologique de support'), valueSet: JDV_SOINS_ONCO_DE_SUPPORT, section: 'support', label: 'Soin oncologique de support' },
  {
    code: ta('MED-573', 'Accompagnement social ou socioprofessionnel'),
    valueSet: JDV_TYPE_ACCOMPAGNEMENT_SOCIOPRO,
    section: 'support',
    label: 'Accompagnement social ou socioprofessionnel',
  },
];

/** The care-step kind whose value set holds this code (the value sets of the six kinds are disjoint). */
export function careStepKindOf(code: string, codeSystem: string): { kind: CareStepKind; concept: Coded } | undefined {
  for (const kind of CARE_STEP_KINDS) {
    const concept = conceptOf(kind.valueSet, code, codeSystem);
    if (concept) return { kind, concept: { ...concept, codeSystemName: CS_NAME[concept.codeSystem] } };
  }
  return undefined;
}
