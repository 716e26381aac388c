import { Badge, makeStyles, tokens } from '@fluentui/react-components';
import type { Urgency } from '../contract';
import type { Words } from '../i18n';

const useStyles = makeStyles({
  // The word and the number on one line: Fluent's badge has a fixed height.
  badge: { whiteSpace: 'nowrap' },
  overdue: { backgroundColor: tokens.colorPaletteDarkRedBorderActive, color: tokens.colorNeutralForegroundOnBrand },
});

const COLOUR = { ok: 'success', soon: 'warning', urgent: 'danger', overdue: 'danger' } as const;

/** Days left in colour (green, amber, red, dark red) and in words with the number: never colour alone. */
export function UrgencyBadge({ urgency, daysLeft, words }: { urgency: Urgency; daysLeft: number; words: Words }) {
  const styles = useStyles();
  return (
    <Badge appearance="filled" color={COLOUR[urgency]} className={`urgency-${urgency} ${styles.badge} ${urgency === 'overdue' ? styles.overdue : ''}`} data-urgency={urgency}>
      {words.formatMessage({ id: `urgency.${urgency}` }, { days: Math.abs(daysLeft) })}
    </Badge>
  );
}
