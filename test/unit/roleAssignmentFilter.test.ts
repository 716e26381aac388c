import { SandboxHttpError } from '../../src/sandbox/common';
import { assignmentsMatching } from '../../src/sandbox/arm/roleAssignmentFilter';
import type { StoredRoleAssignment } from '../../src/sandbox/arm/armState';

const SUB = '/subscriptions/00000000-0000-4000-8000-000000000001';
const RG = `${SUB}/resourceGroups/rg`;
const ALEX = '6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c';
const LEE = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';

const assignment = (name: string, scope: string, principalId: string): StoredRoleAssignment => ({
  name, scope, principalId, roleDefinition: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', principalType: 'User', createdOn: '', updatedOn: '',
});

const ASSIGNMENTS = [assignment('alex-sub', SUB, ALEX), assignment('alex-rg', RG, ALEX), assignment('lee-sub', SUB, LEE)];
const namesFor = (filter: string) => assignmentsMatching(ASSIGNMENTS, RG, filter).map((found) => found.name);

function refusal(filter: string): unknown {
  try {
    assignmentsMatching(ASSIGNMENTS, RG, filter);
  } catch (error) {
    return error instanceof SandboxHttpError ? { status: error.status, code: error.code } : error;
  }
  return 'answered';
}

describe('the ARM sandbox role assignment $filter', () => {
  it('reads principalId eq an object id, quoted or written as a bare GUID, in any case', () => {
    expect(namesFor(`principalId eq '${ALEX}'`)).toEqual(['alex-sub', 'alex-rg']);
    expect(namesFor(`  principalId eq ${ALEX.toUpperCase()} `)).toEqual(['alex-sub', 'alex-rg']);
  });

  it('reads atScope() in any case as the assignments at or above the scope', () => {
    expect(namesFor('atScope()')).toEqual(['alex-sub', 'alex-rg', 'lee-sub']);
    expect(assignmentsMatching(ASSIGNMENTS, SUB, 'ATSCOPE()').map((found) => found.name)).toEqual(['alex-sub', 'lee-sub']);
  });

  it('answers 400 InvalidFilter to any other filter, to a value that is no object id and to an unterminated literal', () => {
    for (const filter of [
      "roleName eq 'x'", `principalId ne '${ALEX}'`, "principalId eq 'not-an-object-id'", `principalId eq '${ALEX}`,
      `principalId eq '${ALEX}' or atScope()`, 'atScope(', `principalid eq '${ALEX}'`,
    ]) {
      expect({ filter, refused: refusal(filter) }).toEqual({ filter, refused: { status: 400, code: 'InvalidFilter' } });
    }
  });
});
