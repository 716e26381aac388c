import { adaptiveCard, CardElement, cardTitle, execute, factSet, heading, note, noticeBlock, serviceFactSet, textBlock, when } from './elements';
import { Card } from './render';
import { Fact, NoticeData, ServiceFact } from './requestFacts';

/** How the approvers' cards lay out their values: the approval card and a request's details (the queue is a request list). */

export interface ManualStepView {
  key: string;
  requestId: string;
  title: string;
  serviceLabel: string;
  instructionLines: { line: string }[];
  statusText: string;
  confirmable: boolean;
}

export interface ApprovalView extends NoticeData {
  id: string;
  kindTitle: string;
  regime: string;
  stateText: string;
  facts: Fact[];
  serviceHeading: string;
  services: ServiceFact[];
  decisions: Fact[];
  /** The hash the approve and reject buttons carry; '' without a plan. */
  planHash: string;
  planNote: string;
  manualSteps: ManualStepView[];
  extensions: Fact[];
  canDecide: boolean;
  canRetry: boolean;
  canRestore: boolean;
  restoreNote: string;
  canPurgeNow: boolean;
  canLift: boolean;
  liftTitle: string;
  showReason: boolean;
  reasonLabel: string;
  extendMonths: Fact[];
  canExtend: boolean;
  extendTitle: string;
  w: Record<'refresh' | 'decisions' | 'extensions' | 'manualSteps' | 'markDone' | 'notApplicable' | 'extendBy' | 'approve' | 'reject' | 'retry' | 'restore' | 'purgeNow', string>;
}

/** A heading and its facts, both left out when there are no facts. */
const factsUnder = (title: string, facts: Fact[]) => when(facts.length > 0, heading(title), factSet(facts));

function manualStepBlock(step: ManualStepView, w: ApprovalView['w']): CardElement {
  const answer = (outcome: string) => ({ requestId: step.requestId, step: step.key, outcome });
  return {
    type: 'Container',
    separator: true,
    items: [
      heading(`${step.title} (${step.serviceLabel})`),
      ...step.instructionLines.map(({ line }) => textBlock(line, { spacing: 'None' })),
      note(step.statusText),
      ...when(step.confirmable, {
        type: 'ActionSet',
        actions: [execute(w.markDone, 'dsr.manual', answer('done'), 'positive'), execute(w.notApplicable, 'dsr.manual', answer('not_applicable'))],
      }),
    ],
  };
}

export function approvalLayout(view: ApprovalView): Card {
  const { id, w } = view;
  const requestId = { requestId: id };
  const decision = { requestId: id, planHash: view.planHash };
  return adaptiveCard({
    refresh: { action: execute(w.refresh, 'dsr.refresh', requestId) },
    body: [
      ...noticeBlock(view),
      cardTitle(`${id}: ${view.kindTitle} (${view.regime})`),
      textBlock(view.stateText),
      factSet(view.facts),
      ...when(view.planNote !== '', note(view.planNote)),
      heading(view.serviceHeading),
      serviceFactSet(view.services),
      ...factsUnder(w.decisions, view.decisions),
      ...factsUnder(w.extensions, view.extensions),
      ...when(view.manualSteps.length > 0, heading(w.manualSteps)),
      ...view.manualSteps.map((step) => manualStepBlock(step, w)),
      ...when(view.restoreNote !== '', note(view.restoreNote)),
      ...when(view.showReason, { type: 'Input.Text', id: 'reason', label: view.reasonLabel, isMultiline: true, maxLength: 500 }),
      ...when(view.extendMonths.length > 0, {
        type: 'Input.ChoiceSet',
        id: 'extendMonths',
        label: w.extendBy,
        style: 'compact',
        value: '1',
        choices: view.extendMonths.map(({ title, value }) => ({ title, value })),
      }),
    ],
    actions: [
      ...when(view.canDecide, execute(w.approve, 'dsr.approve', decision, 'positive'), execute(w.reject, 'dsr.reject', decision, 'destructive')),
      ...when(view.canRetry, execute(w.retry, 'dsr.retry', requestId)),
      ...when(view.canExtend, execute(view.extendTitle, 'dsr.extend', requestId)),
      ...when(view.canRestore, execute(w.restore, 'dsr.restore', requestId)),
      ...when(view.canPurgeNow, execute(w.purgeNow, 'dsr.purgeNow', requestId, 'destructive')),
      ...when(view.canLift, execute(view.liftTitle, 'dsr.lift', requestId)),
    ],
  });
}

export interface RequestDetailsView {
  title: string;
  subject: Fact[];
  facts: Fact[];
  services: ServiceFact[];
  planHeading: string;
  planGroups: { heading: string; items: Fact[] }[];
  w: Record<'forAdminsOnly' | 'subject' | 'request' | 'perService', string>;
}

export function requestDetailsLayout(view: RequestDetailsView): Card {
  const { w } = view;
  return adaptiveCard({
    body: [
      cardTitle(view.title),
      note(w.forAdminsOnly),
      heading(w.subject),
      factSet(view.subject),
      heading(w.request),
      factSet(view.facts),
      heading(w.perService),
      serviceFactSet(view.services),
      ...when(view.planGroups.length > 0, heading(view.planHeading)),
      ...view.planGroups.map((group) => ({ type: 'Container', separator: true, items: [heading(group.heading), factSet(group.items)] })),
    ],
  });
}
