import { useCallback, useEffect, useMemo, useState } from 'react';
import { Caption1, FluentProvider, makeStyles, Spinner, Tab, TabList, Title3, tokens } from '@fluentui/react-components';
import { ApiError, TabApi } from './api';
import type { Me } from './contract';
import { tabLocale, wordsFor } from './i18n';
import type { Session } from './session';
import { fluentThemeFor } from './theme';
import { ChartsView } from './views/ChartsView';
import { Notice } from './views/Notice';
import { QueueView } from './views/QueueView';
import { RegisterView } from './views/RegisterView';
import { RequestView } from './views/RequestView';

type View = { name: 'queue' | 'charts' | 'register' } | { name: 'request'; id: string };
/** What stops the dashboard: a 401 (sign in again), a 403 (no access), anything else (try again). */
type Stop = 'signedOut' | 'noAccess' | 'failed';

const useStyles = makeStyles({
  app: { minHeight: '100vh', padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXXL}`, boxSizing: 'border-box' },
  header: { display: 'flex', alignItems: 'baseline', justifyContent: 'space-between', gap: tokens.spacingHorizontalL, flexWrap: 'wrap' },
  main: { marginTop: tokens.spacingVerticalL },
});

/** The dashboard: who is signed in, the views, and the pages for 401, 403 and failures. */
export function App({ session }: { session: Exclude<Session, { status: 'leaving' }> }) {
  const styles = useStyles();
  // Outside Teams the page is light unless `?theme=dark` (or `contrast`) asks otherwise: for screenshots and checks.
  const [teamsTheme, setTeamsTheme] = useState(session.teams?.theme ?? new URLSearchParams(location.search).get('theme') ?? undefined);
  const [me, setMe] = useState<Me>();
  const [stop, setStop] = useState<Stop | undefined>(session.status === 'signedOut' ? 'signedOut' : undefined);
  const [view, setView] = useState<View>({ name: 'queue' });
  const api = useMemo(() => (session.status === 'signedIn' ? new TabApi(session.token) : undefined), [session]);
  const theme = fluentThemeFor(teamsTheme);
  const words = useMemo(() => wordsFor(tabLocale(session.teams?.locale, me?.locale, navigator.language)), [session, me]);

  const onFailure = useCallback((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) setStop('signedOut');
    else if (error instanceof ApiError && error.status === 403) setStop('noAccess');
    else if (!(error instanceof ApiError && error.status === 404)) setStop('failed');
  }, []);

  useEffect(() => session.teams?.onThemeChange(setTeamsTheme), [session]);
  useEffect(() => {
    api?.me().then(setMe, onFailure);
  }, [api, onFailure]);

  const w = (id: string, values?: Record<string, string>) => words.formatMessage({ id }, values);
  let content;
  if (stop === 'signedOut') content = <Notice id="signedOut" title={w('signedOut.title')} body={w('signedOut.body')} action={{ label: w('signedOut.action'), run: session.signInAgain }} />;
  else if (stop === 'noAccess') content = <Notice id="noAccess" title={w('noAccess.title')} body={w('noAccess.body')} />;
  else if (stop === 'failed') content = <Notice id="failed" body={w('failed.body')} action={{ label: w('failed.retry'), run: () => location.reload() }} />;
  else if (!api || !me) content = <Spinner label={w('app.loading')} />;
  else {
    const tab = view.name === 'request' ? 'queue' : view.name;
    content = (
      <>
        <header className={styles.header}>
          <Title3 as="p">{w('app.title')}</Title3>
          <Caption1 data-me={me.role}>{w('app.signedInAs', { name: me.displayName, role: me.role })}</Caption1>
        </header>
        <TabList selectedValue={tab} onTabSelect={(_, data) => setView({ name: data.value as 'queue' | 'charts' | 'register' })} aria-label={w('nav.label')}>
          <Tab value="queue">{w('nav.queue')}</Tab>
          <Tab value="charts">{w('nav.charts')}</Tab>
          <Tab value="register">{w('nav.register')}</Tab>
        </TabList>
        <main className={styles.main}>
          {view.name === 'queue' && <QueueView api={api} words={words} onOpen={(id) => setView({ name: 'request', id })} onFailure={onFailure} />}
          {view.name === 'request' && <RequestView api={api} words={words} id={view.id} onBack={() => setView({ name: 'queue' })} onFailure={onFailure} />}
          {view.name === 'charts' && <ChartsView api={api} words={words} theme={theme} onFailure={onFailure} />}
          {view.name === 'register' && <RegisterView api={api} words={words} onFailure={onFailure} />}
        </main>
      </>
    );
  }
  return (
    <FluentProvider theme={theme} className={styles.app} lang={words.locale}>
      {content}
    </FluentProvider>
  );
}
