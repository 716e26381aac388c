import { checkProfileCorrection, CORRECTABLE_PROFILE_FIELDS } from '../../src/dsr';

describe('checking a corrected profile value', () => {
  it('takes every writable profile field with a plain value, trimmed', () => {
    const plain: Record<string, string> = {
      mobilePhone: '+353 85 555 0199', businessPhones: '(206) 555-0100', usageLocation: 'ie', preferredLanguage: 'en-US',
      mail: 'alex.w@contoso.test', userPrincipalName: 'alex.w@contoso.test',
    };
    for (const field of CORRECTABLE_PROFILE_FIELDS) {
      const checked = checkProfileCorrection(field, `  ${plain[field] ?? 'Research'}  `);
      expect(checked).toEqual({ ok: true, field, value: field === 'usageLocation' ? 'IE' : (plain[field] ?? 'Research') });
    }
  });

  it('refuses a field that is not a correctable profile field', () => {
    for (const field of ['accountEnabled', 'userType', 'id', '__proto__']) {
      expect(checkProfileCorrection(field, 'x')).toEqual({ ok: false, problem: { code: 'unknownField' } });
    }
  });

  it('refuses an empty value and one longer than its field takes', () => {
    expect(checkProfileCorrection('jobTitle', '   ')).toEqual({ ok: false, problem: { code: 'empty' } });
    expect(checkProfileCorrection('employeeId', 'E'.repeat(17))).toEqual({ ok: false, problem: { code: 'tooLong', max: 16 } });
    expect(checkProfileCorrection('employeeId', 'E'.repeat(16)).ok).toBe(true);
  });

  it('refuses a phone number with letters or too few digits', () => {
    for (const value of ['call me', '+1 206 CALL NOW', '12-3']) {
      expect(checkProfileCorrection('mobilePhone', value)).toEqual({ ok: false, problem: { code: 'notAPhoneNumber' } });
    }
  });

  it('refuses a usage location that is not a two-letter country code, and a language that is not a tag', () => {
    expect(checkProfileCorrection('usageLocation', 'Ireland')).toEqual({ ok: false, problem: { code: 'tooLong', max: 2 } });
    expect(checkProfileCorrection('usageLocation', 'I1')).toEqual({ ok: false, problem: { code: 'notACountryCode' } });
    expect(checkProfileCorrection('preferredLanguage', 'English')).toEqual({ ok: false, problem: { code: 'notALanguageTag' } });
    expect(checkProfileCorrection('preferredLanguage', 'en_us')).toEqual({ ok: false, problem: { code: 'notALanguageTag' } });
  });

  it('refuses an e-mail address or sign-in name that is not an address', () => {
    for (const field of ['mail', 'userPrincipalName']) {
      for (const value of ['alex', 'alex@', 'alex wilber@contoso.test', 'alex@contoso']) {
        expect(checkProfileCorrection(field, value)).toEqual({ ok: false, problem: { code: 'notAnEmailAddress' } });
      }
    }
  });

  it("keeps a new sign-in name within the tenant's domains once they are known", () => {
    const rules = { allowedDomains: ['Contoso.test'] };
    expect(checkProfileCorrection('userPrincipalName', 'alex.w@contoso.test', rules).ok).toBe(true);
    expect(checkProfileCorrection('userPrincipalName', 'alex.w@fabrikam.test', rules))
      .toEqual({ ok: false, problem: { code: 'domainNotAllowed', domains: ['contoso.test'] } });
    // The e-mail address is not a sign-in name: any domain will do.
    expect(checkProfileCorrection('mail', 'alex.w@fabrikam.test', rules).ok).toBe(true);
  });
});
