import { X509Certificate } from 'node:crypto';
import { createSelfSignedCertificate, derInteger } from '../../src/sandbox/common/selfSignedCertificate';

describe('the sandbox certificate generator', () => {
  it('writes serial numbers as minimal DER integers, whatever random bytes it drew', () => {
    expect(derInteger(Buffer.from([0x00, 0x00, 0x12, 0x34]))).toEqual(Buffer.from([0x02, 0x02, 0x12, 0x34]));
    expect(derInteger(Buffer.from([0x00, 0x93]))).toEqual(Buffer.from([0x02, 0x02, 0x00, 0x93]));
    expect(derInteger(Buffer.from([0x93, 0x01]))).toEqual(Buffer.from([0x02, 0x03, 0x00, 0x93, 0x01]));
    expect(derInteger(Buffer.from([0x00]))).toEqual(Buffer.from([0x02, 0x01, 0x00]));
  });

  it('makes certificates Node can parse, for the names asked', () => {
    const { cert } = createSelfSignedCertificate({ commonName: 'DSR Bot local sandbox', subjectAltNames: ['127.0.0.1', 'localhost'], validDays: 10 });
    const parsed = new X509Certificate(cert);
    expect(parsed.subject).toContain('DSR Bot local sandbox');
    expect(parsed.subjectAltName).toContain('IP Address:127.0.0.1');
  });
});
