import { ReactNode } from 'react';
import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from '@fluentui/react-components';

interface Props {
  label: string;
  columns: string[];
  /** Cells already worded. */
  rows: ReactNode[][];
  size: 'extra-small' | 'small';
  /** Extra attributes of the table, such as `data-chart` that tests read. */
  attributes?: Record<string, string>;
}

/** A plain table of worded cells, one header row. */
export function DataTable({ label, columns, rows, size, attributes }: Props) {
  return (
    <Table size={size} aria-label={label} {...attributes}>
      <TableHeader>
        <TableRow>
          {columns.map((column) => (
            <TableHeaderCell key={column}>{column}</TableHeaderCell>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((cells, index) => (
          <TableRow key={index}>
            {cells.map((cell, column) => (
              <TableCell key={column}>{cell}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
