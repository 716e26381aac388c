import { adaptiveCard, cardTitle, factSet, heading, note, openUrl, textBlock } from './elements';
import { Card } from './render';
import { Fact } from './requestFacts';

/** How the compliance channel's cards lay out their values: the compliance post and the register report. */

export interface ComplianceView {
  headline: string;
  facts: Fact[];
}

export const complianceLayout = (view: ComplianceView): Card => adaptiveCard({ body: [heading(view.headline), factSet(view.facts)] });

export interface ReportView {
  title: string;
  asOf: string;
  totals: Fact[];
  byKind: Fact[];
  byRegime: Fact[];
  linkNote: string;
  url: string;
  w: Record<'byKind' | 'byRegime' | 'download', string>;
}

export function reportLayout(view: ReportView): Card {
  const { w } = view;
  return adaptiveCard({
    body: [
      cardTitle(view.title),
      textBlock(view.asOf, { isSubtle: true, spacing: 'None' }),
      factSet(view.totals),
      heading(w.byKind),
      factSet(view.byKind),
      heading(w.byRegime),
      factSet(view.byRegime),
      note(view.linkNote),
    ],
    actions: [openUrl(w.download, view.url)],
  });
}
