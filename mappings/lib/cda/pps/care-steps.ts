/**
 * Reading the PPS care steps from FHIR: each CarePlan.activity of the two plan sections is one step (FR-Acte).
 *
 * | PPS data                        | FHIR                                                                          |
 * |---------------------------------|-------------------------------------------------------------------------------|
 * | kind + type of step             | activity.detail.code (a code of one of the six PPS value sets: the set gives the kind MED-568…573) |
 * | done / planned                  | activity.detail.status (completed, stopped → done; not-started, scheduled, in-progress, on-hold, unknown → planned) |
 * | confirmed dates                 | done: activity.outcomeReference → Procedure.performed[x]; planned: activity.reference → Appointment (booked, arrived, checked-in, fulfilled) start/end |
 * | provisional dates (GEN-177)     | activity.detail.scheduledPeriod, or scheduledTiming.repeat.boundsPeriod     |
 * | rhythm (ORG-004)                | activity.detail.scheduledTiming.code (text), or scheduledString              |
 * | at home (ORG-004 value)         | activity.detail.location → Location typed v3-RoleCode PTRES (other location: not at home) |
 * | place                           | activity.detail.location (other than the patient's home)                     |
 * | professionals / structures      | activity.detail.performer → PractitionerRole, Practitioner, Organization     |
 * | notable side effects (MED-565)  | activity.outcomeReference → Observation TA_ASIP MED-565 (valueString, or its text) |
 * | weight (29463-7)                | activity.detail.reasonReference → Observation LOINC 29463-7 (valueQuantity) |
 * | habits (tobacco, alcohol…)      | activity.detail.reasonReference → Observation coded in JDV_SocialHistoryCodes (e.g. LOINC 72166-2 smoking status) |
 * | comment                         | activity.progress[].text                                                      |
 */
import type { Appointment, CarePlan, CarePlanActivity, Location, Observation, Period, Procedure } from '@medplum/fhirtypes';
import { error, info, warning } from '../../../../src/engine/issues.js';
import { resolveActor, type HealthActor } from '../actors.js';
import { CS, oidOfSystem } from '../oids.js';
import type { Coded } from '../datatypes.js';
import { hasCode } from '../fhir-find.js';
import { conceptOf } from '../value-set.js';
import { careStepKindOf, JDV_SOCIAL_HISTORY, type CareStepKind, type PlanSectionKind, C } from './codes.js';
import type { PpsContext } from './context.js';

export type StepStatus = 'completed' | 'aborted' | 'active';

export interface CareStep {
  carePlan: CarePlan;
  activity: CarePlanActivity;
  path: string;
  kind: CareStepKind;
  concept: Coded;
  label: string;
  done: boolean;
  status: StepStatus;
  statusLabel: string;
  confirmed?: Period;
  confirmedPath: string;
  provisional?: Period;
  provisionalPath: string;
  rhythm?: string;
  atHome?: boolean;
  place?: Location;
  performers: HealthActor[];
  sideEffects?: { text: string; observation: Observation };
  weight?: { value: number; unit: string; date?: string; observation: Observation; path: string };
  habits: { concept: Coded; observation: Observation; path: string }[];
  notes: string[];
}

const DONE: Record<string, [StepStatus, string]> = { completed: ['completed', 'Réalisé'], stopped: ['aborted', 'Interrompu'] };
const PLANNED: Record<string, [StepStatus, string]> = {
  'not-started': ['active', 'À venir'],
  scheduled: ['active', 'Programmé'],
  'in-progress': ['active', 'En cours'],
  'on-hold': ['active', 'Suspendu'],
  unknown: ['active', 'À venir'],
};
const CONFIRMED_APPOINTMENT = new Set(['booked', 'arrived', 'checked-in', 'fulfilled']);

const periodOf = (start?: string, end?: string): Period | undefined => (start || end ? { ...(start ? { start } : {}), ...(end ? { end } : {}) } : undefined);

/** Confirmed dates of a planned step: the booked Appointment of activity.reference. */
function appointmentDates(step: CareStep, ctx: PpsContext): void {
  const a = step.activity;
  if (!a.reference) return;
  const path = `${step.path}.reference`;
  const r = ctx.doc.resolve(a.reference, ['Appointment'], path, ctx.issues) as Appointment | undefined;
  if (!r) return;
  if (step.done) {
    ctx.issues.push(warning('PPS_APPOINTMENT_NOT_WRITTEN', 'a done step takes its dates from the performed Procedure (outcomeReference), not from an appointment', path));
  } else if (CONFIRMED_APPOINTMENT.has(r.status)) {
    step.confirmed = periodOf(r.start, r.end);
    step.confirmedPath = `${path}.resolve()`;
  } else {
    ctx.issues.push(info('PPS_APPOINTMENT_NOT_CONFIRMED', `appointment status "${r.status}": its dates are not written as confirmed`, `${path}.resolve().status`));
  }
}

function schedule(step: CareStep): void {
  const d = step.activity.detail!;
  if (d.scheduledPeriod) step.provisional = d.scheduledPeriod;
  else if (d.scheduledTiming?.repeat?.boundsPeriod) {
    step.provisional = d.scheduledTiming.repeat.boundsPeriod;
    step.provisionalPath = `${step.path}.detail.scheduledTiming.repeat.boundsPeriod`;
  }
  const code = d.scheduledTiming?.code;
  step.rhythm = code?.text ?? code?.coding?.find((c) => c.display)?.display ?? d.scheduledString;
}

function locationAndPerformers(step: CareStep, ctx: PpsContext): void {
  const d = step.activity.detail!;
  const location = ctx.doc.resolve(d.location, ['Location'], `${step.path}.detail.location`, ctx.issues);
  if (location) {
    const home = (location.type ?? []).some((t) => t.coding?.some((c) => c.code === 'PTRES' && oidOfSystem(c.system) === CS.ROLE_CODE));
    step.atHome = home;
    if (!home) step.place = location;
  }
  (d.performer ?? []).forEach((ref, i) => {
    const path = `${step.path}.detail.performer[${i}]`;
    const r = ctx.doc.resolve(ref, ['Organization', 'PractitionerRole', 'Practitioner'], path, ctx.issues);
    if (!r) return;
    if (r.resourceType === 'Organization') return void step.performers.push({ organization: r, path });
    const actor = resolveActor(ctx.doc, ref, path, ctx.issues);
    if (actor) step.performers.push(actor);
  });
}

function outcomes(step: CareStep, ctx: PpsContext): void {
  const a = step.activity;
  (a.outcomeReference ?? []).forEach((ref, i) => {
    const path = `${step.path}.outcomeReference[${i}]`;
    const r = ctx.doc.resolve(ref, ['Procedure', 'Observation'], path, ctx.issues) as Procedure | Observation | undefined;
    if (r?.resourceType === 'Procedure') {
      if (!step.done) ctx.issues.push(warning('PPS_PROCEDURE_NOT_WRITTEN', 'a planned step takes its confirmed dates from a booked Appointment (activity.reference), not from a Procedure', path));
      else if (!step.confirmed) {
        step.confirmed = r.performedPeriod ?? periodOf(r.performedDateTime, r.performedDateTime);
        step.confirmedPath = `${path}.resolve().performed`;
      }
    } else if (r && hasCode(r.code, C.sideEffects)) {
      const text = r.valueString ?? r.valueCodeableConcept?.text ?? r.note?.map((n) => n.text).join(' ');
      if (text) step.sideEffects = { text, observation: r };
      else ctx.issues.push(error('PPS_VALUE', 'the side-effects observation (MED-565) needs its text (valueString)', `${path}.resolve().valueString`));
    } else if (r) {
      ctx.issues.push(warning('PPS_OUTCOME_NOT_WRITTEN', 'only side effects (Observation TA_ASIP MED-565) and the performed Procedure are written from outcomeReference', path));
    }
  });
  (a.detail?.reasonReference ?? []).forEach((ref, i) => {
    const path = `${step.path}.detail.reasonReference[${i}]`;
    const r = ctx.doc.resolve(ref, ['Observation', 'Condition'], path, ctx.issues);
    const habit = r?.resourceType === 'Observation' ? (r.code.coding ?? []).map((c) => conceptOf(JDV_SOCIAL_HISTORY, c.code, oidOfSystem(c.system))).find(Boolean) : undefined;
    if (r?.resourceType === 'Observation' && hasCode(r.code, C.bodyWeight) && r.valueQuantity?.value !== undefined) {
      step.weight = { value: r.valueQuantity.value, unit: r.valueQuantity.code ?? r.valueQuantity.unit ?? 'kg', date: r.effectiveDateTime, observation: r, path: `${path}.resolve()` };
    } else if (r?.resourceType === 'Observation' && habit) {
      step.habits.push({ concept: { ...habit, codeSystemName: 'LOINC' }, observation: r, path: `${path}.resolve()` });
    } else if (r) {
      ctx.issues.push(warning('PPS_REASON_NOT_WRITTEN', 'only the body weight (LOINC 29463-7 with valueQuantity) and habits (JDV_SocialHistoryCodes_CISIS) are written from detail.reasonReference', path));
    }
  });
}

/** One care step from a CarePlan activity, or undefined when it is not written (issues say why). */
function readStep(carePlan: CarePlan, activity: CarePlanActivity, path: string, section: PlanSectionKind, ctx: PpsContext): CareStep | undefined {
  const d = activity.detail;
  if (!d) {
    ctx.issues.push(error('PPS_STEP', 'a PPS care step is written from activity.detail (code, status, dates, performers); activity.detail is missing', `${path}.detail`));
    return undefined;
  }
  if (d.status === 'cancelled' || d.status === 'entered-in-error') {
    ctx.issues.push(info('PPS_STEP_SKIPPED', `a ${d.status} care step is not written`, `${path}.detail.status`));
    return undefined;
  }
  const match = (d.code?.coding ?? []).map((c) => (c.code ? careStepKindOf(c.code, oidOfSystem(c.system) ?? '') : undefined)).find(Boolean);
  if (!match) {
    const given = (d.code?.coding ?? []).map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ') || '(none)';
    ctx.issues.push(
      error('PPS_STEP_CODE', `care step code ${given} is in none of the PPS value sets (JDV_TypeTraitementPPS, JDV_GestionEffetsSecondaires, JDV_MesuresAssociees, JDV_TypeDeSuivi, JDV_SoinsOncoDeSupport, JDV_TypeAccompagnementSocioPro)`, `${path}.detail.code`),
    );
    return undefined;
  }
  if (match.kind.section !== section) {
    const where = section === 'programme' ? 'the therapeutic programme (MED-566)' : 'the supportive care plan (MED-567)';
    ctx.issues.push(error('PPS_STEP_SECTION', `"${match.concept.displayName}" (${match.kind.label}) does not belong in ${where}`, `${path}.detail.code`));
    return undefined;
  }
  const [status, statusLabel] = DONE[d.status] ?? PLANNED[d.status] ?? ['active', 'À venir'];
  const step: CareStep = {
    carePlan,
    activity,
    path,
    kind: match.kind,
    concept: match.concept,
    label: [d.code?.text ?? match.concept.displayName, d.description].filter(Boolean).join(' — '),
    done: d.status in DONE,
    status,
    statusLabel,
    confirmedPath: path,
    provisionalPath: `${path}.detail.scheduledPeriod`,
    performers: [],
    habits: [],
    notes: (activity.progress ?? []).map((n) => n.text.trim()).filter(Boolean),
  };
  appointmentDates(step, ctx);
  schedule(step);
  locationAndPerformers(step, ctx);
  outcomes(step, ctx);
  return step;
}

/** Every written care step of the CarePlans of a plan section, in CarePlan then activity order. */
export function readCareSteps(plans: { resource: CarePlan; path: string }[], section: PlanSectionKind, ctx: PpsContext): CareStep[] {
  return plans.flatMap(({ resource, path }) => (resource.activity ?? []).flatMap((a, i) => readStep(resource, a, `${path}.activity[${i}]`, section, ctx) ?? []));
}
