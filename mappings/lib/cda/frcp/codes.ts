/**
 * Codes of the fiche RCP (CANCER-FRCP 2022.01): document, sections, TA_ASIP observation codes, templates. Those of the
 * cancer diagnosis section, which the PPS writes too, are in ../diagnosis-codes.ts.
 */
import type { Coded } from '../datatypes.js';
import { CS } from '../oids.js';

const ta = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.TA_ASIP, codeSystemName: 'TA_ASIP' });
const loinc = (code: string, displayName: string): Coded => ({ code, displayName, codeSystem: CS.LOINC, codeSystemName: 'LOINC' });

export const FRCP_DOCUMENT = {
  templateId: { root: '1.2.250.1.213.1.1.1.8', extension: '2022.01' },
  code: loinc('34794-8', 'CR de réunion de concertation pluridisciplinaire'),
} as const;

/** Identifiers componentOf/encompassingEncounter must carry (volet FRCP), in this order. */
export const FRCP_ENCOUNTER_IDS = [
  { oid: '1.2.250.1.161.1.20.1.1', label: 'national RRC (réseau régional de cancérologie)' },
  { oid: '1.2.250.1.161.1.20.2.1', label: 'national GestRCP (gestionnaire de RCP)' },
  { oid: '1.2.250.1.161.1.20.3.1', label: 'national RCP' },
];
/** Identifier of the RCP session (optional). */
export const RCP_SESSION_ID_OID = '1.2.250.1.213.1.1.9';

/** TA_ASIP codes of the volet's observations (FHIR Observations carry the same codes, system urn:oid:1.2.250.1.213.1.1.4.322). */
export const TA = {
  NATURE_DISCUSSION: ta('GEN-098', 'Nature de la discussion'),
  RCP_APPAREIL_ORGANES: ta('ORG-117', 'RCP Appareil - Organes'),
  RCP_TRANSVERSALE: ta('ORG-132', 'RCP Transversale et de soins de support'),
  APPAREIL: ta('ORG-118', 'Appareil concerné'),
  ORGANE: ta('ORG-119', 'Organe'),
  TRAITEMENT_SOINS: ta('ORG-138', 'Traitement / Soins'),
  RCP_RECOURS: ta('ORG-184', 'RCP de recours'),
  RCP_PEDIATRIQUE: ta('ORG-185', 'RCP pédiatrique'),
  MOTIF: ta('ORG-186', 'Motif de la RCP'),
  AVIS_DIAGNOSTIQUE: ta('MED-235', 'Avis diagnostique'),
  PROPOSITION_TRAITEMENT: ta('ORG-114', 'Proposition de traitement (dont ajustement et surveillance)'),
  RECOURS: ta('ORG-115', 'Recours'),
  PEDIATRIE: ta('ORG-116', 'Pédiatrie'),
  STATUT_CAS: ta('ORG-127', 'Statut du cas présenté'),
  INFORMATION_RCP: ta('GEN-099', 'Information RCP'),
  DOSSIER_COMPLET: ta('GEN-100', 'Dossier complet'),
  QUORUM: ta('ORG-125', 'Quorum RCP'),
  OMS: ta('MED-239', 'Echelle de performance OMS'),
  PHASE: ta('MED-243', 'Phase du cancer'),
  PROGRESSION: ta('MED-245', 'Progression du cancer'),
  PROGRESSION_LOCALE: ta('MED-246', 'Progression locale du cancer'),
  PROGRESSION_REGIONALE: ta('MED-247', 'Progression régionale du cancer'),
  PROGRESSION_DISTANCE: ta('MED-248', 'Progression à distance du cancer'),
  REFERENTIEL: ta('MED-249', 'Recommandation/référentiel de pratique clinique'),
  ESSAI_CLINIQUE: ta('MED-250', "Proposition d'inclusion dans un essai clinique"),
  STATUT_DOCUMENT: ta('GEN-065', 'Statut du document'),
  PASSAGE_RCP_RECOURS: ta('ORG-120', 'Passage en RCP recours'),
  DEMANDE_EXAMEN: ta('ORG-064', "Demande d'examen ou de suivi"),
  SURVEILLANCE: ta('MED-226', 'Surveillance seule'),
} as const;

export const LOINC_CODES = {
  DEPISTAGE: loinc('63921-1', 'Dépistage du cancer'),
  ECOG: loinc('89247-1', 'ECOG Performance Status score'),
  PAIN: loinc('38208-5', 'Sévérité de la douleur'),
} as const;

/** Section codes (LOINC): the FHIR Composition.section carries the same code. */
export const SECTION = {
  RAISON: loinc('42349-1', 'Raison de la recommandation'),
  RESULTATS_EVENEMENTS: loinc('42545-4', 'Evènements observés'),
  ANTECEDENTS: loinc('11348-0', 'Antécédents médicaux'),
  PROBLEMES_ACTIFS: loinc('11450-4', 'Liste des problèmes actifs'),
  STATUT_FONCTIONNEL: loinc('47420-5', 'Évaluation du statut fonctionnel'),
  DOULEUR: loinc('38208-5', 'Sévérité de la douleur'),
  FONCTIONS_PHYSIQUES: loinc('46006-3', 'Problèmes physiques fonctionnels et structurels'),
  RESULTATS_EXAMENS: loinc('30954-2', "Résultats d'examens"),
  NOTE_PROGRESSION: loinc('18733-6', 'Note de progression'),
  ACTES: loinc('29554-3', 'Actes'),
  HISTOIRE_MALADIE: loinc('10164-2', 'Histoire de la maladie'),
  STATUT_DOSSIER: loinc('21874-3', 'Statut du dossier présenté en RCP'),
  PLAN_DE_SOINS: loinc('18776-5', 'Plan de soins'),
  CADRE: loinc('35510-7', 'Essais cliniques - Informations générales'),
  COMMENTAIRE: loinc('55112-7', 'Commentaire'),
  STATUT_DOCUMENT: loinc('33557-0', "Etat d'achèvement"),
} as const;

/** Extension on CarePlan.activity giving the intention number of a therapeutic proposal (1 = first intention). */
export const INTENTION_EXTENSION_URL = 'https://relais.dcc/fhir/StructureDefinition/rcp-proposal-intention';
