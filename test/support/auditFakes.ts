import { AuditLog } from '../../src/dsr';

/** An audit log for tests made of one `append`: `begin` is an append, `appendAll` hands it each event in turn. */
export function auditLogOf(append: AuditLog['append']): AuditLog {
  return {
    begin: append,
    append,
    async appendAll(requestId, events) {
      for (const { event, detail } of events) await append(requestId, event, detail);
    },
  };
}
