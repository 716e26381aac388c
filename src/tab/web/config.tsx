import { createRoot } from 'react-dom/client';
import { FluentProvider, makeStyles, Subtitle1, Text, tokens } from '@fluentui/react-components';
import { pages } from '@microsoft/teams-js';
import { tabLocale, wordsFor } from './i18n';
import { connectToTeams } from './teamsHost';
import { fluentThemeFor } from './theme';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalXL, minHeight: '100vh', boxSizing: 'border-box' },
});

function ConfigPage({ title, body }: { title: string; body: string }) {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Subtitle1 as="h1">{title}</Subtitle1>
      <Text>{body}</Text>
    </main>
  );
}

/**
 * The channel tab's configuration page: nothing to choose, so it says what the tab shows, points the
 * tab at the dashboard and lets Save go ahead.
 */
async function configure(): Promise<void> {
  const teams = await connectToTeams();
  const words = wordsFor(tabLocale(teams?.locale, navigator.language));
  createRoot(document.getElementById('root')!).render(
    <FluentProvider theme={fluentThemeFor(teams?.theme)}>
      <ConfigPage title={words.formatMessage({ id: 'config.title' })} body={words.formatMessage({ id: 'config.body' })} />
    </FluentProvider>,
  );
  if (!teams) return;
  const dashboard = new URL('./', location.href).href;
  pages.config.registerOnSaveHandler((save) => {
    pages.config.setConfig({ entityId: 'dsr-compliance-dashboard', contentUrl: dashboard, websiteUrl: dashboard }).then(
      () => save.notifySuccess(),
      (error: unknown) => save.notifyFailure(String(error)),
    );
  });
  pages.config.setValidityState(true);
}

void configure();
