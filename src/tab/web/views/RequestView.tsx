import { ReactNode } from 'react';
import { Button, Caption1, makeStyles, MessageBar, MessageBarBody, Spinner, Subtitle1, Subtitle2, Text, tokens } from '@fluentui/react-components';
import type { TabApi } from '../api';
import { known, stateKey, Words } from '../i18n';
import { useLoaded } from '../useLoaded';
import { DataTable } from './DataTable';
import { UrgencyBadge } from './UrgencyBadge';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  facts: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'center' },
});

interface Props {
  api: TabApi;
  words: Words;
  id: string;
  onBack: () => void;
  onFailure: (error: unknown) => void;
}

/** A table with a heading; its cells already worded. */
function Section({ title, columns, rows, empty }: { title: string; columns: string[]; rows: ReactNode[][]; empty?: string }) {
  return (
    <section>
      <Subtitle2 as="h2">{title}</Subtitle2>
      {rows.length === 0 && empty ? (
        <Text as="p">{empty}</Text>
      ) : (
        <DataTable size="small" label={title} columns={columns} rows={rows} />
      )}
    </section>
  );
}

/** One request: its timeline from the audit chain, whether the chain verifies, plan and steps (approvers), extensions, manual steps. */
export function RequestView({ api, words, id, onBack, onFailure }: Props) {
  const styles = useStyles();
  const request = useLoaded(() => api.request(id), onFailure, [api, id]);
  const w = (key: string, values?: Record<string, string | number | Date>) => words.formatMessage({ id: key }, values);
  const service = (code: string) => known(words, `service.${code}`) ?? code;
  const items = (count: number) => w('request.items', { count });
  const back = <Button onClick={onBack}>{w('request.back')}</Button>;
  if (!request) return <Spinner label={w('app.loading')} />;

  return (
    <article className={styles.page} aria-labelledby="request-title" data-request-page={request.id}>
      <div>{back}</div>
      <Subtitle1 as="h1" id="request-title">
        {request.id} · {known(words, `kind.${request.kind}`) ?? request.kind} · {known(words, `law.${request.regime.toLowerCase()}`) ?? request.regime}
      </Subtitle1>
      <div className={styles.facts}>
        <Text>{known(words, stateKey(request.state)) ?? request.state}</Text>
        <UrgencyBadge urgency={request.urgency} daysLeft={request.daysLeft} words={words} />
        <Caption1>{w('request.received', { at: new Date(request.receivedAt) })}</Caption1>
        <Caption1>{w('request.due', { at: new Date(request.dueAt) })}</Caption1>
      </div>
      <Text>
        {w('request.subject')}: {request.subject.displayName ? `${request.subject.displayName} · ` : ''}
        {w('request.pseudonym', { pseudonym: request.subject.pseudonym })}
      </Text>
      <MessageBar intent={request.chainVerified ? 'success' : 'warning'} data-chain={request.chainVerified ? 'verified' : 'broken'}>
        <MessageBarBody>{w(request.chainVerified ? 'request.chainVerified' : 'request.chainBroken')}</MessageBarBody>
      </MessageBar>
      <Section
        title={w('request.timeline')}
        columns={[w('request.column.when'), w('request.column.event')]}
        rows={request.timeline.map((entry) => [
          words.formatDate(entry.at, { dateStyle: 'medium', timeStyle: 'short' }),
          `${known(words, `event.${entry.event}`) ?? entry.event}${entry.by ? ` (${w('request.by', { by: entry.by })})` : ''}`,
        ])}
      />
      {request.plan && <Section title={w('request.plan')} columns={[w('request.column.service'), w('request.column.items')]} rows={request.plan.map((p) => [service(p.service), items(p.items)])} />}
      {request.steps && (
        <Section
          title={w('request.steps')}
          columns={[w('request.column.service'), w('request.column.status'), w('request.column.items')]}
          rows={request.steps.map((s) => [service(s.service), known(words, `stepStatus.${s.status}`) ?? s.status, items(s.items)])}
        />
      )}
      <Section
        title={w('request.extensions')}
        columns={[w('request.column.when')]}
        empty={w('request.noExtensions')}
        rows={request.extensions.map((e) => [w('request.extension', { at: new Date(e.at), newDueAt: new Date(e.newDueAt), reason: e.reason })])}
      />
      <Section
        title={w('request.manualSteps')}
        columns={[w('request.column.service'), w('request.column.task'), w('request.column.status')]}
        empty={w('request.noManualSteps')}
        rows={request.manualSteps.map((m) => [service(m.service), known(words, `task.${m.task}`) ?? m.task, w(m.done ? 'request.stepDone' : 'request.stepOpen')])}
      />
      <div>{back}</div>
    </article>
  );
}
