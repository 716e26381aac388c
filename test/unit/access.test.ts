import { mayRead, ReaderRole, Viewer } from '../../src/dsr';
import { APPROVER_A, APPROVER_B, SUBJECT, requestFiledBy, sampleRequest } from './sampleRequest';

const OUTSIDER = 'c0c0c0c0-0000-4000-8000-00000000000c';
const viewer = (aadObjectId: string | undefined, groups: Partial<Viewer> = {}): Viewer => ({ aadObjectId, isApprover: false, isComplianceOfficer: false, ...groups });

describe('who may read a request', () => {
  const filedByAdmin = requestFiledBy(APPROVER_A);

  it.each<[string, Viewer, ReaderRole]>([
    ['its subject', viewer(SUBJECT.aadObjectId), 'subject'],
    ['its subject, whatever case Teams writes the id in', viewer(SUBJECT.aadObjectId.toUpperCase()), 'subject'],
    ['its subject who is also an approver', viewer(SUBJECT.aadObjectId, { isApprover: true }), 'subject'],
    ['the approver who filed it', viewer(APPROVER_A.aadObjectId, { isApprover: true }), 'approver'],
    ['its requester, no longer an approver', viewer(APPROVER_A.aadObjectId), 'requester'],
    ['another approver', viewer(APPROVER_B.aadObjectId, { isApprover: true }), 'approver'],
    ['a compliance officer', viewer(OUTSIDER, { isComplianceOfficer: true }), 'complianceOfficer'],
    ['a compliance officer who also approves', viewer(OUTSIDER, { isApprover: true, isComplianceOfficer: true }), 'approver'],
    ['an unrelated employee', viewer(OUTSIDER), 'none'],
    ['someone without an Entra object id, even in both groups', viewer(undefined, { isApprover: true, isComplianceOfficer: true }), 'none'],
  ])('decides %s', (_who, reader, role) => {
    expect(mayRead(filedByAdmin, reader)).toEqual(role === 'none' ? { allowed: false, role } : { allowed: true, role });
  });

  it('refuses a request that does not exist exactly as one the viewer may not see', () => {
    expect(mayRead(undefined, viewer(APPROVER_B.aadObjectId, { isApprover: true }))).toEqual(mayRead(sampleRequest(), viewer(OUTSIDER)));
  });
});
