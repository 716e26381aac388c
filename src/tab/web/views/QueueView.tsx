import { useState } from 'react';
import { Caption1, Input, Label, Link, makeStyles, Select, Spinner, Subtitle1, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text, tokens } from '@fluentui/react-components';
import type { QueueFilters, TabApi } from '../api';
import { known, stateKey, Words } from '../i18n';
import { useLoaded } from '../useLoaded';
import { UrgencyBadge } from './UrgencyBadge';

const KINDS = ['access', 'export', 'rectify', 'restrict', 'erase'];
const LAWS = ['gdpr', 'ccpa'];
const OPEN_STATES = ['submitted', 'discovering', 'awaiting_approval', 'needs_info', 'approved', 'executing', 'awaiting_manual_steps', 'awaiting_delta_approval', 'awaiting_service_export', 'failed_partially'];

const useStyles = makeStyles({
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalL, alignItems: 'end', marginBlock: tokens.spacingVerticalM },
  field: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
});

interface Props {
  api: TabApi;
  words: Words;
  onOpen: (id: string) => void;
  onFailure: (error: unknown) => void;
}

/** Open requests by due date, days left coloured and worded; filters by kind, law and state; search by id. */
export function QueueView({ api, words, onOpen, onFailure }: Props) {
  const styles = useStyles();
  const [filters, setFilters] = useState<QueueFilters>({});
  const queue = useLoaded(() => api.queue(filters), onFailure, [api, filters.kind, filters.regime, filters.state, filters.q]);
  const w = (id: string, values?: Record<string, string | number | Date>) => words.formatMessage({ id }, values);
  const day = (iso: string) => words.formatDate(iso, { dateStyle: 'medium' });

  const filter = (name: keyof Omit<QueueFilters, 'q'>, label: string, codes: string[], word: (code: string) => string) => (
    <div className={styles.field}>
      <Label htmlFor={`filter-${name}`}>{label}</Label>
      <Select id={`filter-${name}`} value={filters[name] ?? ''} onChange={(_, data) => setFilters({ ...filters, [name]: data.value || undefined })}>
        <option value="">{w('queue.all')}</option>
        {codes.map((code) => (
          <option key={code} value={code}>
            {word(code)}
          </option>
        ))}
      </Select>
    </div>
  );

  return (
    <section aria-labelledby="queue-title">
      <Subtitle1 as="h1" id="queue-title">
        {w('queue.title')}
      </Subtitle1>
      <div className={styles.filters}>
        {filter('kind', w('queue.kind'), KINDS, (code) => w(`kind.${code}`))}
        {filter('regime', w('queue.law'), LAWS, (code) => w(`law.${code}`))}
        {filter('state', w('queue.state'), OPEN_STATES, (code) => w(stateKey(code)))}
        <div className={styles.field}>
          <Label htmlFor="filter-q">{w('queue.search')}</Label>
          <Input id="filter-q" type="search" value={filters.q ?? ''} onChange={(_, data) => setFilters({ ...filters, q: data.value.trim() || undefined })} />
        </div>
      </div>
      {!queue ? (
        <Spinner label={w('app.loading')} />
      ) : (
        <>
          <Caption1>
            {w('queue.count', { count: queue.requests.length })} · {w('queue.asOf', { asOf: new Date(queue.asOf) })}
          </Caption1>
          {queue.requests.length === 0 ? (
            <Text as="p">{w('queue.empty')}</Text>
          ) : (
            <Table aria-labelledby="queue-title" data-table="queue">
              <TableHeader>
                <TableRow>
                  {['id', 'subject', 'kind', 'law', 'state', 'received', 'due', 'daysLeft'].map((column) => (
                    <TableHeaderCell key={column}>{w(`queue.column.${column}`)}</TableHeaderCell>
                  ))}
                </TableRow>
              </TableHeader>
              <TableBody>
                {queue.requests.map((row) => (
                  <TableRow key={row.id} data-request={row.id}>
                    <TableCell>
                      <Link onClick={() => onOpen(row.id)}>{row.id}</Link>
                    </TableCell>
                    <TableCell>{row.subject}</TableCell>
                    <TableCell>{known(words, `kind.${row.kind}`) ?? row.kind}</TableCell>
                    <TableCell>{known(words, `law.${row.regime.toLowerCase()}`) ?? row.regime}</TableCell>
                    <TableCell>{known(words, stateKey(row.state)) ?? row.state}</TableCell>
                    <TableCell>{day(row.receivedAt)}</TableCell>
                    <TableCell>{day(row.dueAt)}</TableCell>
                    <TableCell>
                      <UrgencyBadge urgency={row.urgency} daysLeft={row.daysLeft} words={words} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </>
      )}
    </section>
  );
}
