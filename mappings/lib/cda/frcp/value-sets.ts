/**
 * The CI-SIS value sets (JDV) of the fiche RCP (CANCER-FRCP 2022.01) small enough to embed, copied from the ANS
 * package jeuxDeValeurs/ (value-sets.test.ts checks them against those files). Those the PPS checks too are in
 * ../cancer-value-sets.ts.
 */
import type { ValueSet } from '../value-set.js';

/** JDV_NatureDiscussion_CISIS (1.2.250.1.213.1.1.4.2.281.8) */
export const NATURE_DISCUSSION: ValueSet = { name: 'JDV_NatureDiscussion_CISIS', oid: '1.2.250.1.213.1.1.4.2.281.8', concepts: [
  ['ORG-117', '1.2.250.1.213.1.1.4.322', 'RCP Appareil - Organes'],
  ['ORG-132', '1.2.250.1.213.1.1.4.322', 'RCP Transversale et de soins de support'],
]};

/** JDV_RCP_Appareil_CISIS (1.2.250.1.213.1.1.5.597) */
export const RCP_APPAREIL: ValueSet = { name: 'JDV_RCP_Appareil_CISIS', oid: '1.2.250.1.213.1.1.5.597', concepts: [
  ['387910009', '2.16.840.1.113883.6.96', 'glande endocrine'],
  ['57171008', '2.16.840.1.113883.6.96', 'structure du système hématopoïétique'],
  ['81745001', '2.16.840.1.113883.6.96', 'œil'],
  ['272673000', '2.16.840.1.113883.6.96', 'os'],
  ['39937001', '2.16.840.1.113883.6.96', 'peau'],
  ['76752008', '2.16.840.1.113883.6.96', 'sein'],
  ['86762007', '2.16.840.1.113883.6.96', 'système digestif'],
  ['53065001', '2.16.840.1.113883.6.96', 'appareil génital féminin'],
  ['90264002', '2.16.840.1.113883.6.96', 'appareil génital masculin'],
  ['25087005', '2.16.840.1.113883.6.96', 'système nerveux'],
  ['122489005', '2.16.840.1.113883.6.96', 'système urinaire'],
  ['312419003', '2.16.840.1.113883.6.96', 'appareil respiratoire et/ou cavité thoracique'],
  ['87784001', '2.16.840.1.113883.6.96', 'tissus mous'],
  ['119253004', '2.16.840.1.113883.6.96', 'voie aérodigestive supérieure'],
]};

/** JDV_RCP_Organe_CISIS (1.2.250.1.213.1.1.5.598) */
export const RCP_ORGANE: ValueSet = { name: 'JDV_RCP_Organe_CISIS', oid: '1.2.250.1.213.1.1.5.598', concepts: [
  ['57171008', '2.16.840.1.113883.6.96', 'structure du système hématopoïétique'],
  ['C3211', '2.16.840.1.113883.3.26.1.1', 'lymphome non hodgkinien'],
  ['C88', '2.16.840.1.113883.6.3', 'Maladies immunoprolifératives malignes'],
  ['C9357', '2.16.840.1.113883.3.26.1.1', 'Lymphome de Hodgkin'],
  ['C3483', '2.16.840.1.113883.3.26.1.1', 'leucémie chronique'],
  ['C3163', '2.16.840.1.113883.3.26.1.1', 'Leucémie lymphocytique chronique'],
  ['C3167', '2.16.840.1.113883.3.26.1.1', 'Leucémie lymphoblastique aiguë'],
  ['C3172', '2.16.840.1.113883.3.26.1.1', 'Leucémie myéloïde'],
  ['C3171', '2.16.840.1.113883.3.26.1.1', 'leucémie myéloïde aiguë'],
  ['C3174', '2.16.840.1.113883.3.26.1.1', 'leucémie myéloïde chronique BCR-ABL positive'],
  ['C4861', '2.16.840.1.113883.3.26.1.1', 'leucémie monocytaire aiguë'],
  ['C9300', '2.16.840.1.113883.3.26.1.1', 'leucémie aiguë'],
  ['119253004', '2.16.840.1.113883.6.96', 'voie aérodigestive supérieure'],
  ['MED-237', '1.2.250.1.213.1.1.4.322', 'Fosses nasales, sinus, oreille moy/int'],
  ['MED-251', '1.2.250.1.213.1.1.4.322', 'Colon-Rectum-Anus'],
  ['303270005', '2.16.840.1.113883.6.96', 'foie et/ou voies biliaires'],
  ['C27262', '2.16.840.1.113883.3.26.1.1', 'maladies myélodysplasiques-myéloprolifératives'],
  ['C3242', '2.16.840.1.113883.3.26.1.1', 'myélome à cellules plasmatiques'],
  ['MED-255', '1.2.250.1.213.1.1.4.322', 'Trachée, Bronches, Poumon'],
  ['39937001', '2.16.840.1.113883.6.96', 'peau'],
  ['76752008', '2.16.840.1.113883.6.96', 'sein'],
  ['306721000', '2.16.840.1.113883.6.96', 'os et/ou articulation'],
  ['87784001', '2.16.840.1.113883.6.96', 'tissus mous'],
  ['312419003', '2.16.840.1.113883.6.96', 'appareil respiratoire et/ou cavité thoracique'],
  ['4596009', '2.16.840.1.113883.6.96', 'larynx'],
  ['3120008', '2.16.840.1.113883.6.96', 'plèvre'],
  ['86762007', '2.16.840.1.113883.6.96', 'système digestif'],
  ['74262004', '2.16.840.1.113883.6.96', 'cavité orale'],
  ['48477009', '2.16.840.1.113883.6.96', 'lèvre de la bouche'],
  ['21974007', '2.16.840.1.113883.6.96', 'langue'],
  ['54066008', '2.16.840.1.113883.6.96', 'pharynx'],
  ['32849002', '2.16.840.1.113883.6.96', 'œsophage'],
  ['69695003', '2.16.840.1.113883.6.96', 'estomac'],
  ['30315005', '2.16.840.1.113883.6.96', 'intestin grêle'],
  ['385294005', '2.16.840.1.113883.6.96', 'glande salivaire'],
  ['15776009', '2.16.840.1.113883.6.96', 'pancréas'],
  ['122489005', '2.16.840.1.113883.6.96', 'système urinaire'],
  ['431491007', '2.16.840.1.113883.6.96', 'voies urinaires supérieures proprement dites'],
  ['64033007', '2.16.840.1.113883.6.96', 'rein'],
  ['89837001', '2.16.840.1.113883.6.96', 'vessie'],
  ['53065001', '2.16.840.1.113883.6.96', 'appareil génital féminin'],
  ['C94529', '2.16.840.1.113883.3.26.1.1', 'Vulve et vagin'],
  ['23952005', '2.16.840.1.113883.6.96', 'corps de l\'utérus'],
  ['71252005', '2.16.840.1.113883.6.96', 'col utérin'],
  ['15497006', '2.16.840.1.113883.6.96', 'ovaire'],
  ['90264002', '2.16.840.1.113883.6.96', 'appareil génital masculin'],
  ['18911002', '2.16.840.1.113883.6.96', 'pénis'],
  ['41216001', '2.16.840.1.113883.6.96', 'prostate'],
  ['40689003', '2.16.840.1.113883.6.96', 'testicule'],
  ['21483005', '2.16.840.1.113883.6.96', 'système nerveux central'],
  ['84782009', '2.16.840.1.113883.6.96', 'nerf périphérique'],
  ['81745001', '2.16.840.1.113883.6.96', 'œil'],
  ['387910009', '2.16.840.1.113883.6.96', 'glande endocrine'],
  ['23451007', '2.16.840.1.113883.6.96', 'glande surrénale'],
  ['69748006', '2.16.840.1.113883.6.96', 'glande thyroïde'],
  ['72410000', '2.16.840.1.113883.6.96', 'médiastin'],
  ['C12664', '2.16.840.1.113883.3.26.1.1', 'Péritoine-rétropéritoine'],
]};

/** JDV_TraitementSoins_FRCP_CISIS (1.2.250.1.213.1.1.5.596) */
export const TRAITEMENT_SOINS: ValueSet = { name: 'JDV_TraitementSoins_FRCP_CISIS', oid: '1.2.250.1.213.1.1.5.596', concepts: [
  ['C3580', '2.16.840.1.113883.3.26.1.1', 'métastases osseuses'],
  ['C3303', '2.16.840.1.113883.3.26.1.1', 'douleur'],
  ['C15252', '2.16.840.1.113883.3.26.1.1', 'soins palliatifs'],
  ['C63334', '2.16.840.1.113883.3.26.1.1', 'Radiologie interventionnelle'],
  ['C15747', '2.16.840.1.113883.3.26.1.1', 'soins de support'],
  ['ORG-129', '1.2.250.1.213.1.1.4.322', 'Oncogénétique'],
  ['ORG-130', '1.2.250.1.213.1.1.4.322', 'Oncogériatrie'],
  ['C16832', '2.16.840.1.113883.3.26.1.1', 'oncologie médicale'],
  ['C71326', '2.16.840.1.113883.3.26.1.1', 'préservation de la fertilité'],
  ['C7201', '2.16.840.1.113883.3.26.1.1', 'tumeur rare'],
]};

/** JDV_StatutCasPresente_CISIS (1.2.250.1.213.1.1.4.2.281.17) */
export const STATUT_CAS_PRESENTE: ValueSet = { name: 'JDV_StatutCasPresente_CISIS', oid: '1.2.250.1.213.1.1.4.2.281.17', concepts: [
  ['ORG-128', '1.2.250.1.213.1.1.4.322', 'Cas enregistré'],
  ['ORG-134', '1.2.250.1.213.1.1.4.322', 'Cas discuté'],
]};

/** JDV_StatutQuorum_CISIS (1.2.250.1.213.1.1.4.2.281.16) */
export const STATUT_QUORUM: ValueSet = { name: 'JDV_StatutQuorum_CISIS', oid: '1.2.250.1.213.1.1.4.2.281.16', concepts: [
  ['ORG-126', '1.2.250.1.213.1.1.4.322', 'Quorum atteint'],
  ['ORG-133', '1.2.250.1.213.1.1.4.322', 'Quorum non atteint'],
  ['GEN-010', '1.2.250.1.213.1.1.4.322', 'Ne sait pas'],
]};

/** JDV_TypeTraitement_FRCP_CISIS (1.2.250.1.213.1.1.5.595) */
export const TYPE_TRAITEMENT: ValueSet = { name: 'JDV_TypeTraitement_FRCP_CISIS', oid: '1.2.250.1.213.1.1.5.595', concepts: [
  ['387713003', '2.16.840.1.113883.6.96', 'intervention chirurgicale'],
  ['C15313', '2.16.840.1.113883.3.26.1.1', 'radiothérapie'],
  ['C15195', '2.16.840.1.113883.3.26.1.1', 'curiethérapie'],
  ['C15632', '2.16.840.1.113883.3.26.1.1', 'chimiothérapie'],
  ['C93352', '2.16.840.1.113883.3.26.1.1', 'thérapie ciblée'],
  ['C547', '2.16.840.1.113883.3.26.1.1', 'Hormonothérapie'],
  ['C15262', '2.16.840.1.113883.3.26.1.1', 'immunothérapie'],
  ['C63334', '2.16.840.1.113883.3.26.1.1', 'Radiologie interventionnelle'],
  ['MED-556', '1.2.250.1.213.1.1.4.322', 'Fenêtre thérapeutique'],
  ['MED-226', '1.2.250.1.213.1.1.4.322', 'Surveillance seule'],
  ['MED-227', '1.2.250.1.213.1.1.4.322', 'Surveillance active'],
  ['C157891', '2.16.840.1.113883.3.26.1.1', 'endoscopie interventionnelle'],
  ['MED-232', '1.2.250.1.213.1.1.4.322', 'Irathérapie'],
  ['MED-126', '1.2.250.1.213.1.1.4.322', 'Allogreffe / Autogreffe'],
  ['GEN-092.03.01', '1.2.250.1.213.1.1.4.322', 'Autre(s) traitement(s)'],
  ['GEN-092.03.02', '1.2.250.1.213.1.1.4.322', 'Autre(s) traitement(s) médicamenteux spécifique(s)'],
  ['C15747', '2.16.840.1.113883.3.26.1.1', 'soins de support'],
  ['C15252', '2.16.840.1.113883.3.26.1.1', 'soins palliatifs'],
]};

/** JDV_OMSEchPerf_CISIS (1.2.250.1.213.1.1.4.2.281.1) */
export const OMS_ECHELLE: ValueSet = { name: 'JDV_OMSEchPerf_CISIS', oid: '1.2.250.1.213.1.1.4.2.281.1', concepts: [
  ['MED-240', '1.2.250.1.213.1.1.4.322', 'Echelle de performance OMS Stade 0'],
  ['MED-264', '1.2.250.1.213.1.1.4.322', 'Echelle de performance OMS Stade 1'],
  ['MED-265', '1.2.250.1.213.1.1.4.322', 'Echelle de performance OMS Stade 2'],
  ['MED-266', '1.2.250.1.213.1.1.4.322', 'Echelle de performance OMS Stade 3'],
  ['MED-267', '1.2.250.1.213.1.1.4.322', 'Echelle de performance OMS Stade 4'],
]};

/** JDV_OMSInterpret_CISIS (1.2.250.1.213.1.1.4.2.281.2) */
export const OMS_INTERPRETATION: ValueSet = { name: 'JDV_OMSInterpret_CISIS', oid: '1.2.250.1.213.1.1.4.2.281.2', concepts: [
  ['LA9622-7', '2.16.840.1.113883.6.1', 'Capable d\'une activité identique à celle précédant la maladie sans aucune restriction.'],
  ['LA9623-5', '2.16.840.1.113883.6.1', 'Activité physique diminuée mais ambulatoire et capable de mener un travail'],
  ['LA9624-3', '2.16.840.1.113883.6.1', 'Ambulatoire et capable de prendre soin de soi-même, incapable de travailler. Alité moins de 50 % de son temps'],
  ['LA9625-0', '2.16.840.1.113883.6.1', 'Capable seulement de quelques soins. Alité ou en chaise plus de 50 % du temps'],
  ['LA9626-8', '2.16.840.1.113883.6.1', 'Incapable de prendre soins de soi-même. Alité ou en chaise en permanence'],
]};
