import { RequestKind, ServiceName } from '../dsr';
import { adaptiveCard, cardTitle, execute, factSet, heading, note, noticeBlock, openUrl, serviceFactSet, textBlock, when } from './elements';
import { Card } from './render';
import { Fact, NoticeData, ServiceFact } from './requestFacts';

/** How the cards of a person's own chat lay out their values: intake, help, status, download, receipt, request list. */

export interface IntakeView {
  kind: RequestKind;
  /** The subject's object id when an admin files on their behalf, else ''. */
  onBehalfOf: string;
  onBehalfText: string;
  title: string;
  description: string;
  isErase: boolean;
  isRectify: boolean;
  eraseWarning: string;
  regime: string;
  services: { name: ServiceName; label: string }[];
  /** The services preselected, comma-separated as Input.ChoiceSet takes them. */
  allServices: string;
  fields: { name: string; label: string }[];
  submitTitle: string;
  submitStyle: 'positive' | 'destructive';
  w: Record<'eraseWarningTitle' | 'regimeLabel' | 'regimeRequired' | 'gdprChoice' | 'ccpaChoice' | 'servicesLabel' | 'servicesRequired' | 'fieldLabel' | 'fieldRequired' | 'valueLabel' | 'valueRequired', string>;
}

const choices = (options: readonly { name: string; label: string }[]) => options.map((o) => ({ title: o.label, value: o.name }));

export function intakeLayout(view: IntakeView): Card {
  const { w } = view;
  return adaptiveCard({
    body: [
      cardTitle(view.title),
      textBlock(view.description),
      ...when(view.onBehalfOf !== '', heading(view.onBehalfText)),
      ...when(view.isErase, { type: 'Container', style: 'attention', items: [heading(w.eraseWarningTitle), textBlock(view.eraseWarning)] }),
      {
        type: 'Input.ChoiceSet',
        id: 'regime',
        label: w.regimeLabel,
        style: 'compact',
        value: view.regime,
        isRequired: true,
        errorMessage: w.regimeRequired,
        choices: [{ title: w.gdprChoice, value: 'GDPR' }, { title: w.ccpaChoice, value: 'CCPA' }],
      },
      {
        type: 'Input.ChoiceSet',
        id: 'services',
        label: w.servicesLabel,
        isMultiSelect: true,
        style: 'expanded',
        value: view.allServices,
        isRequired: true,
        errorMessage: w.servicesRequired,
        choices: choices(view.services),
      },
      ...when(
        view.isRectify,
        { type: 'Input.ChoiceSet', id: 'field', label: w.fieldLabel, style: 'compact', isRequired: true, errorMessage: w.fieldRequired, choices: choices(view.fields) },
        { type: 'Input.Text', id: 'value', label: w.valueLabel, maxLength: 256, isRequired: true, errorMessage: w.valueRequired },
      ),
    ],
    actions: [execute(view.submitTitle, 'dsr.submit', { kind: view.kind, onBehalfOf: view.onBehalfOf }, view.submitStyle)],
  });
}

export interface HelpView {
  intro: string;
  kinds: { kind: RequestKind; title: string; description: string }[];
  w: Record<'title' | 'typeHint' | 'myRequests', string>;
}

export function helpLayout(view: HelpView): Card {
  const { w } = view;
  return adaptiveCard({
    body: [cardTitle(w.title), textBlock(view.intro), factSet(view.kinds.map((k) => ({ title: k.title, value: k.description }))), note(w.typeHint)],
    actions: [...view.kinds.map((k) => execute(k.title, 'dsr.start', { kind: k.kind })), execute(w.myRequests, 'dsr.status')],
  });
}

export interface StatusView extends NoticeData {
  id: string;
  kindTitle: string;
  stateText: string;
  facts: Fact[];
  steps: ServiceFact[];
  cancellable: boolean;
  w: Record<'services' | 'cancel', string>;
}

export function statusLayout(view: StatusView): Card {
  const { w } = view;
  return adaptiveCard({
    body: [
      ...noticeBlock(view),
      cardTitle(`${view.id}: ${view.kindTitle}`),
      textBlock(view.stateText),
      factSet(view.facts),
      ...when(view.steps.length > 0, heading(w.services), serviceFactSet(view.steps)),
    ],
    actions: when(view.cancellable, execute(w.cancel, 'dsr.cancel', { requestId: view.id })),
  });
}

export interface ExportReadyView {
  url: string;
  title: string;
  facts: Fact[];
  w: Record<'intro' | 'download', string>;
}

export function exportReadyLayout(view: ExportReadyView): Card {
  return adaptiveCard({
    body: [cardTitle(view.title), textBlock(view.w.intro), factSet(view.facts)],
    actions: [openUrl(view.w.download, view.url)],
  });
}

export interface ReceiptView {
  title: string;
  intro: string;
  services: ServiceFact[];
  /** '' on a receipt that tells of no recipients (access, export). */
  recipientsHeading: string;
  recipientsText: string;
  manualSteps: Fact[];
  approvals: Fact[];
  purgeNote: string;
  planRecord: string;
  auditRecord: string;
  w: Record<'doneByHand' | 'approvals', string>;
}

export function receiptLayout(view: ReceiptView): Card {
  const { w } = view;
  return adaptiveCard({
    body: [
      cardTitle(view.title),
      textBlock(view.intro),
      serviceFactSet(view.services),
      ...when(view.recipientsHeading !== '', heading(view.recipientsHeading), textBlock(view.recipientsText)),
      ...when(view.manualSteps.length > 0, heading(w.doneByHand), factSet(view.manualSteps)),
      heading(w.approvals),
      factSet(view.approvals),
      ...[view.purgeNote, view.planRecord, view.auditRecord].filter((text) => text !== '').map(note),
    ],
  });
}

/** A list of requests by id: a person's own requests, and the approvers' queue. */
export interface RequestListView {
  title: string;
  empty: string;
  requests: { id: string; text: string }[];
}

export function requestListLayout(view: RequestListView): Card {
  return adaptiveCard({
    body: [cardTitle(view.title), view.requests.length ? factSet(view.requests.map((r) => ({ title: r.id, value: r.text }))) : textBlock(view.empty)],
  });
}
