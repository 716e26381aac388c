import type { TenantUser } from '../src/sandbox/tenant';

/**
 * `count` generated Entra users, none an approver, to add to the sandbox Graph's seed. Each
 * benchmark passes its own object-id head, name and phone block, so their people never collide.
 */
export function generatedUsers(count: number, kind: { idHead: string; name: string; digits: number; phoneBlock: string }): TenantUser[] {
  const slug = kind.name.toLowerCase();
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(kind.digits, '0');
    return {
      aadObjectId: `${kind.idHead}-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
      teamsUserId: `29:${slug}-user-${n}`,
      upn: `${slug}.user${n}@contoso.test`,
      email: `${slug}.user${n}@contoso.test`,
      displayName: `${kind.name} User${n}`,
      jobTitle: 'Technician',
      department: 'Operations',
      officeLocation: 'Dublin',
      mobilePhone: `+353 1 ${kind.phoneBlock} ${n}`,
      approver: false,
    };
  });
}
