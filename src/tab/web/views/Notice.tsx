import { Button, makeStyles, Subtitle1, Text, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  notice: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalXXL, maxWidth: '40rem' },
});

/** A whole-page message: signed out, no access, data that did not load. */
export function Notice(props: { id: string; title?: string; body: string; action?: { label: string; run: () => void } }) {
  const styles = useStyles();
  return (
    <section className={styles.notice} data-notice={props.id} role="alert">
      {props.title && <Subtitle1 as="h1">{props.title}</Subtitle1>}
      <Text>{props.body}</Text>
      {props.action && (
        <Button appearance="primary" onClick={props.action.run}>
          {props.action.label}
        </Button>
      )}
    </section>
  );
}
