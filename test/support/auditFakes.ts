import { AuditLog } from '../../src/dsr';

/** An audit log for tests made of one `append`: `appendAll` hands it each event in turn. */
export function auditLogOf(append: AuditLog['append']): AuditLog {
  return {
    append,
    async appendAll(requestId, events) {
      for (const { event, detail } of events) await append(requestId, event, detail);
    },
  };
}
