import { useEffect, useRef } from 'react';
import { makeStyles, Subtitle2, tokens } from '@fluentui/react-components';
import { DataTable } from '../views/DataTable';
import { Chart, ChartConfiguration } from './chartJs';

const useStyles = makeStyles({
  panel: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, minWidth: 0 },
  canvas: { position: 'relative', height: '240px' },
});

interface Props {
  /** Stable name for the panel (`perWeek`): the table carries it as `data-chart`. */
  name: string;
  title: string;
  config: ChartConfiguration;
  /** The chart's data as a table beneath it: what screen readers and the colour-blind read. */
  columns: string[];
  rows: (string | number)[][];
  caption: string;
}

/** A chart and its data as an accessible table. */
export function ChartPanel({ name, title, config, columns, rows, caption }: Props) {
  const styles = useStyles();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, config);
    return () => chart.destroy();
  }, [config]);
  return (
    <section className={styles.panel} aria-labelledby={`chart-${name}`}>
      <Subtitle2 as="h2" id={`chart-${name}`}>
        {title}
      </Subtitle2>
      <div className={styles.canvas}>
        <canvas ref={canvas} role="img" aria-label={title} />
      </div>
      <DataTable size="extra-small" label={caption} columns={columns} rows={rows} attributes={{ 'data-chart': name }} />
    </section>
  );
}
