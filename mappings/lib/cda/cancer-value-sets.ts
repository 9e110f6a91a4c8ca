/**
 * The CI-SIS value sets (JDV) both cancer volets (fiche RCP, PPS) check their codes against, copied from the ANS
 * package jeuxDeValeurs/ (frcp/value-sets.test.ts and pps/value-sets.test.ts check them against those files).
 */
import type { ValueSet } from './value-set.js';

/** JDV_StatutDoc_CISIS (1.2.250.1.213.1.1.5.93) */
export const STATUT_DOC: ValueSet = { name: 'JDV_StatutDoc_CISIS', oid: '1.2.250.1.213.1.1.5.93', concepts: [
  ['385651009', '2.16.840.1.113883.6.96', 'en cours d\'exécution'],
  ['398166005', '2.16.840.1.113883.6.96', 'réalisé'],
  ['9571008', '2.16.840.1.113883.6.96', 'approuvé'],
  ['29179001', '2.16.840.1.113883.6.96', 'clôturé'],
]};

/** JDV_PhaseCancer_CISIS (1.2.250.1.213.1.1.4.2.281.13) */
export const PHASE_CANCER: ValueSet = { name: 'JDV_PhaseCancer_CISIS', oid: '1.2.250.1.213.1.1.4.2.281.13', concepts: [
  ['MED-268', '1.2.250.1.213.1.1.4.322', 'Phase initiale du cancer'],
  ['MED-244', '1.2.250.1.213.1.1.4.322', 'Rechute du cancer'],
]};

/** JDV_ModificateurTopographique_CISIS (1.2.250.1.213.1.1.5.688) */
export const MODIFICATEUR_TOPOGRAPHIQUE: ValueSet = { name: 'JDV_ModificateurTopographique_CISIS', oid: '1.2.250.1.213.1.1.5.688', concepts: [
  ['24028007', '2.16.840.1.113883.6.96', 'droit'],
  ['7771000', '2.16.840.1.113883.6.96', 'gauche'],
  ['51440002', '2.16.840.1.113883.6.96', 'bilatéral'],
  ['66459002', '2.16.840.1.113883.6.96', 'unilatéral(e)'],
  ['49370004', '2.16.840.1.113883.6.96', 'latéral(e)'],
  ['260528009', '2.16.840.1.113883.6.96', 'médian(e)'],
  ['255549009', '2.16.840.1.113883.6.96', 'antérieur(e)'],
  ['255551008', '2.16.840.1.113883.6.96', 'postérieur(e)'],
  ['66787007', '2.16.840.1.113883.6.96', 'céphalique'],
  ['3583002', '2.16.840.1.113883.6.96', 'caudal(e)'],
  ['255561001', '2.16.840.1.113883.6.96', 'médial(e)'],
  ['26216008', '2.16.840.1.113883.6.96', 'central(e)'],
  ['14414005', '2.16.840.1.113883.6.96', 'périphérique'],
  ['261074009', '2.16.840.1.113883.6.96', 'externe'],
  ['260521003', '2.16.840.1.113883.6.96', 'interne'],
  ['11896004', '2.16.840.1.113883.6.96', 'intermédiaire'],
  ['261089000', '2.16.840.1.113883.6.96', 'inférieur(e)'],
  ['264217000', '2.16.840.1.113883.6.96', 'supérieur(e)'],
  ['62824007', '2.16.840.1.113883.6.96', 'transverse'],
  ['40415009', '2.16.840.1.113883.6.96', 'proximal(e)'],
  ['46053002', '2.16.840.1.113883.6.96', 'distal(e)'],
  ['60583000', '2.16.840.1.113883.6.96', 'postaxial'],
  ['32400000', '2.16.840.1.113883.6.96', 'préaxial'],
  ['43674008', '2.16.840.1.113883.6.96', 'apical(e)'],
  ['57195005', '2.16.840.1.113883.6.96', 'basal(e)'],
  ['49530007', '2.16.840.1.113883.6.96', 'afférent(e)'],
  ['33843005', '2.16.840.1.113883.6.96', 'efférent(e)'],
  ['81654009', '2.16.840.1.113883.6.96', 'coronal(e)'],
  ['26283006', '2.16.840.1.113883.6.96', 'superficiel(le)'],
  ['795002', '2.16.840.1.113883.6.96', 'profond(e)'],
  ['24020000', '2.16.840.1.113883.6.96', 'horizontal(e)'],
  ['38717003', '2.16.840.1.113883.6.96', 'longitudinal(e)'],
  ['33096000', '2.16.840.1.113883.6.96', 'vertical(e)'],
  ['30730003', '2.16.840.1.113883.6.96', 'sagital(le)'],
  ['24422004', '2.16.840.1.113883.6.96', 'axial(e)'],
  ['87687004', '2.16.840.1.113883.6.96', 'extra-articulaire'],
  ['410679008', '2.16.840.1.113883.6.96', 'surface'],
  ['68493006', '2.16.840.1.113883.6.96', 'gouttière'],
  ['32381004', '2.16.840.1.113883.6.96', 'hilaire'],
  ['11070000', '2.16.840.1.113883.6.96', 'capsulaire'],
  ['61397002', '2.16.840.1.113883.6.96', 'sous-capsulaire'],
  ['57183005', '2.16.840.1.113883.6.96', 'le long d\'un bord'],
  ['37197008', '2.16.840.1.113883.6.96', 'antérolatéral(e)'],
  ['90069004', '2.16.840.1.113883.6.96', 'postérolatéral(e)'],
  ['131183008', '2.16.840.1.113883.6.96', 'intra-articulaire'],
  ['112233002', '2.16.840.1.113883.6.96', 'marginal'],
]};

/** JDV_J11_RelationPatient_CISIS (1.2.250.1.213.3.3.16): the relationship of an informant to the patient. */
export const JDV_RELATION_PATIENT: ValueSet = {
  name: 'JDV_J11_RelationPatient_CISIS',
  oid: '1.2.250.1.213.3.3.16',
  concepts: [
    ['MTH', '2.16.840.1.113883.5.111', 'Mère'],
    ['FTH', '2.16.840.1.113883.5.111', 'Père'],
    ['NMTH', '2.16.840.1.113883.5.111', 'Mère biologique'],
    ['NFTH', '2.16.840.1.113883.5.111', 'Père biologique'],
    ['STPMTH', '2.16.840.1.113883.5.111', 'Belle-mère - épouse du père ou de la mère'],
    ['STPFTH', '2.16.840.1.113883.5.111', 'Beau-père - époux du père ou de la mère'],
    ['GRMTH', '2.16.840.1.113883.5.111', 'Grand-mère'],
    ['GRFTH', '2.16.840.1.113883.5.111', 'Grand-père'],
    ['GGRMTH', '2.16.840.1.113883.5.111', 'Arrière-grand-mère'],
    ['GGRFTH', '2.16.840.1.113883.5.111', 'Arrière-grand-père'],
    ['DAU', '2.16.840.1.113883.5.111', 'Fille biologique'],
    ['SON', '2.16.840.1.113883.5.111', 'Fils biologique'],
    ['BRO', '2.16.840.1.113883.5.111', 'Frère'],
    ['SIS', '2.16.840.1.113883.5.111', 'Soeur'],
    ['HBRO', '2.16.840.1.113883.5.111', 'Demi-frère'],
    ['HSIS', '2.16.840.1.113883.5.111', 'Demi-soeur'],
    ['GRNDDAU', '2.16.840.1.113883.5.111', 'Petite-fille'],
    ['GRNDSO', '2.16.840.1.113883.5.111', 'Petit-fils'],
    ['UNCLE', '2.16.840.1.113883.5.111', 'Oncle'],
    ['AUNT', '2.16.840.1.113883.5.111', 'Tante'],
    ['NEPHEW', '2.16.840.1.113883.5.111', 'Neveu'],
    ['NIECE', '2.16.840.1.113883.5.111', 'Nièce'],
    ['HUSB', '2.16.840.1.113883.5.111', 'Epoux'],
    ['WIFE', '2.16.840.1.113883.5.111', 'Epouse'],
    ['DOMPART', '2.16.840.1.113883.5.111', 'Concubin(e) ou partenaire PACS'],
    ['ROOM', '2.16.840.1.113883.5.111', 'Personne vivant sous le même toit'],
    ['FRND', '2.16.840.1.113883.5.111', 'Autre proche'],
    ['NBOR', '2.16.840.1.113883.5.111', 'Voisin(e)'],
    ['FAMMEMB', '2.16.840.1.113883.5.111', 'Autre membre de la famille'],
    ['CHILD', '2.16.840.1.113883.5.111', 'Enfant'],
    ['COUSN', '2.16.840.1.113883.5.111', 'Cousin(e)'],
    ['SIGOTHR', '2.16.840.1.113883.5.111', 'Conjoint'],
    ['DAUC', '2.16.840.1.113883.5.111', 'Fille'],
    ['SONC', '2.16.840.1.113883.5.111', 'Fils'],
    ['TUTEUR', '1.2.250.1.213.1.1.4.327', 'Tuteur'],
    ['CURATEUR', '1.2.250.1.213.1.1.4.327', 'Curateur'],
    ['MSVG', '1.2.250.1.213.1.1.4.327', 'Mandataire de sauvegarde'],
  ],
};
