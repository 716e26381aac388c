import { useMemo } from 'react';
import { Caption1, makeStyles, Spinner, Subtitle1, Theme, tokens } from '@fluentui/react-components';
import type { TabApi } from '../api';
import type { Charts } from '../contract';
import { known, Words } from '../i18n';
import { useLoaded } from '../useLoaded';
import type { ChartConfiguration } from '../charts/chartJs';
import { ChartPanel } from '../charts/ChartPanel';
import { patternFill, SHAPES } from '../charts/patterns';

const KINDS = ['access', 'export', 'rectify', 'restrict', 'erase'] as const;
/** Distinct in hue and in lightness, so they stay apart in grey too; patterns and point styles do the rest. */
const SERIES = ['#4f6bed', '#c4314b', '#237b4b', '#c17c00', '#8764b8', '#0f7b8a'];

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(420px, 1fr))', gap: tokens.spacingHorizontalXXL, marginTop: tokens.spacingVerticalM },
});

interface Props {
  api: TabApi;
  words: Words;
  theme: Theme;
  onFailure: (error: unknown) => void;
}

/** Scales, legend and grid in the theme's colours; the legend shows each series' pattern or point style. */
function baseOptions(theme: Theme, stacked: boolean, percent = false): ChartConfiguration['options'] {
  const ticks = { color: theme.colorNeutralForeground2 };
  const grid = { color: theme.colorNeutralStroke2 };
  return {
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { labels: { color: theme.colorNeutralForeground1, usePointStyle: true } } },
    scales: {
      x: { stacked, ticks, grid },
      y: { stacked, beginAtZero: true, ticks: percent ? { ...ticks, callback: (value) => `${Math.round(Number(value) * 100)} %` } : ticks, grid, ...(percent ? { max: 1 } : {}) },
    },
  };
}

function chartsOf(data: Charts, words: Words, theme: Theme) {
  const w = (id: string) => words.formatMessage({ id });
  const n = (value: number | null) => (value === null ? w('charts.none') : words.formatNumber(value, { maximumFractionDigits: 1 }));
  const ink = theme.colorNeutralBackground1;
  const fill = (index: number) => patternFill(SERIES[index], SHAPES[index % SHAPES.length], ink);
  const service = (code: string) => known(words, `service.${code}`) ?? code;
  return [
    {
      name: 'perWeek',
      title: w('charts.perWeek'),
      config: {
        type: 'bar',
        data: {
          labels: data.perWeek.map((row) => row.week),
          datasets: KINDS.map((kind, index) => ({ label: w(`kind.${kind}`), data: data.perWeek.map((row) => row[kind]), backgroundColor: fill(index), borderColor: SERIES[index], borderWidth: 1 })),
        },
        options: baseOptions(theme, true),
      },
      columns: [w('charts.week'), ...KINDS.map((kind) => w(`kind.${kind}`)), w('charts.total')],
      rows: data.perWeek.map((row) => [row.week, ...KINDS.map((kind) => row[kind]), KINDS.reduce((sum, kind) => sum + row[kind], 0)]),
    },
    {
      name: 'daysToClose',
      title: w('charts.daysToClose'),
      config: {
        type: 'line',
        data: {
          labels: data.daysToClose.map((row) => row.month),
          datasets: [
            { label: w('charts.median'), data: data.daysToClose.map((row) => row.median), borderColor: SERIES[0], backgroundColor: SERIES[0], pointStyle: 'circle', pointRadius: 5, spanGaps: true },
            { label: w('charts.p90'), data: data.daysToClose.map((row) => row.p90), borderColor: SERIES[1], backgroundColor: SERIES[1], pointStyle: 'triangle', pointRadius: 6, borderDash: [6, 4], spanGaps: true },
          ],
        },
        options: baseOptions(theme, false),
      },
      columns: [w('charts.month'), w('charts.closed'), w('charts.median'), w('charts.p90')],
      rows: data.daysToClose.map((row) => [row.month, row.closed, n(row.median), n(row.p90)]),
    },
    {
      name: 'withinDeadline',
      title: w('charts.withinDeadline'),
      config: {
        type: 'bar',
        data: {
          labels: data.withinDeadline.map((row) => row.month),
          datasets: [{ label: w('charts.share'), data: data.withinDeadline.map((row) => row.share), backgroundColor: fill(2), borderColor: SERIES[2], borderWidth: 1 }],
        },
        options: baseOptions(theme, false, true),
      },
      columns: [w('charts.month'), w('charts.closed'), w('charts.withinCount'), w('charts.share')],
      rows: data.withinDeadline.map((row) => [row.month, row.closed, row.withinDeadline, row.share === null ? w('charts.none') : words.formatNumber(row.share, { style: 'percent' })]),
    },
    {
      name: 'openPerService',
      title: w('charts.openPerService'),
      config: {
        type: 'bar',
        data: {
          labels: data.openPerService.map((row) => service(row.service)),
          datasets: [{ label: w('charts.open'), data: data.openPerService.map((row) => row.open), backgroundColor: fill(1), borderColor: SERIES[1], borderWidth: 1 }],
        },
        options: { ...baseOptions(theme, false), indexAxis: 'y' },
      },
      columns: [w('charts.service'), w('charts.open')],
      rows: data.openPerService.map((row) => [service(row.service), row.open]),
    },
  ] satisfies { name: string; title: string; config: ChartConfiguration; columns: string[]; rows: (string | number)[][] }[];
}

/** Requests per week by kind, days to close, share within the deadline, open requests per service. */
export function ChartsView({ api, words, theme, onFailure }: Props) {
  const styles = useStyles();
  const data = useLoaded(() => api.charts(), onFailure, [api]);
  const charts = useMemo(() => (data ? chartsOf(data, words, theme) : []), [data, words, theme]);
  if (!data) return <Spinner label={words.formatMessage({ id: 'app.loading' })} />;
  return (
    <section aria-labelledby="charts-title">
      <Subtitle1 as="h1" id="charts-title">
        {words.formatMessage({ id: 'charts.title' })}
      </Subtitle1>
      <Caption1 as="p">{words.formatMessage({ id: 'charts.asOf' }, { asOf: new Date(data.asOf) })}</Caption1>
      <div className={styles.grid}>
        {charts.map((chart) => (
          <ChartPanel key={chart.name} {...(chart as Parameters<typeof ChartPanel>[0])} caption={words.formatMessage({ id: 'charts.dataOf' }, { title: chart.title })} />
        ))}
      </div>
    </section>
  );
}
