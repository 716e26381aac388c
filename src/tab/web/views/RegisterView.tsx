import { Button, makeStyles, Spinner, Subtitle1, Subtitle2, Text, tokens } from '@fluentui/react-components';
import type { TabApi } from '../api';
import type { Words } from '../i18n';
import { useLoaded } from '../useLoaded';

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '48rem' },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalM },
});

interface Props {
  api: TabApi;
  words: Words;
  onFailure: (error: unknown) => void;
}

/** Saves a file fetched with the bearer token: a plain link could not send it. */
function save(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The register as CSV and JSON (the files npm run register:export writes) and the audit log's state. */
export function RegisterView({ api, words, onFailure }: Props) {
  const styles = useStyles();
  const audit = useLoaded(() => api.audit(), onFailure, [api]);
  const w = (id: string, values?: Record<string, string | number | Date>) => words.formatMessage({ id }, values);
  const download = (file: 'register.csv' | 'register.json') => () => api.registerFile(file).then(({ blob, name }) => save(blob, name), onFailure);
  return (
    <section className={styles.page} aria-labelledby="register-title">
      <Subtitle1 as="h1" id="register-title">
        {w('register.title')}
      </Subtitle1>
      <Text>{w('register.body')}</Text>
      <div className={styles.buttons}>
        <Button appearance="primary" onClick={download('register.csv')}>
          {w('register.csv')}
        </Button>
        <Button onClick={download('register.json')}>{w('register.json')}</Button>
      </div>
      <Subtitle2 as="h2">{w('register.audit')}</Subtitle2>
      {!audit ? (
        <Spinner label={w('app.loading')} />
      ) : (
        <>
          <Text data-audit="digest">{audit.lastDigest ? w('register.lastDigest', { sequence: audit.lastDigest.sequence, at: new Date(audit.lastDigest.at) }) : w('register.noDigest')}</Text>
          <Text data-audit="verification">
            {audit.lastVerification ? w(audit.lastVerification.ok ? 'register.verifiedOk' : 'register.verifiedBroken', { at: new Date(audit.lastVerification.at) }) : w('register.noVerification')}
          </Text>
        </>
      )}
    </section>
  );
}
