import { scrubAttributes, scrubSpanName, scrubUrl, withoutIdentifiers } from '../../src/telemetryScrub';

const OBJECT_ID = 'e2000000-0000-4000-8000-000000000012';

describe('telemetry scrubbing', () => {
  it('keeps the route words of a Graph URL and replaces the object id', () => {
    expect(scrubUrl(`https://graph.microsoft.com/v1.0/users/${OBJECT_ID}/checkMemberGroups`)).toBe('https://graph.microsoft.com/v1.0/users/{id}/checkMemberGroups');
  });

  it("reduces a query to its parameter names: a mail filter keeps no address", () => {
    const url = "https://graph.microsoft.com/v1.0/users?$filter=mail%20eq%20'megan.bowen%40contoso.example'&$select=id";
    expect(scrubUrl(url)).toBe('https://graph.microsoft.com/v1.0/users?$filter&$select');
  });

  it('replaces a device or twin named after its owner, and an e-mail in a path, whatever their case or encoding', () => {
    expect(scrubUrl('https://hub.azure-devices.net/devices/megan-badge?api-version=2021-04-12')).toBe('https://hub.azure-devices.net/devices/{id}?api-version');
    expect(scrubUrl('/digitaltwins/Megan/relationships/r1')).toBe('/digitaltwins/{id}/relationships/{id}');
    expect(scrubUrl('/api/users/megan.bowen%40contoso.example')).toBe('/api/users/{id}');
  });

  it('drops credentials in the authority', () => {
    expect(scrubUrl('https://user:secret@example.net/users/x')).toBe('https://example.net/users/{id}');
  });

  it('scrubs URL attributes, drops free text, and strips ids and addresses from any other string', () => {
    const scrubbed = scrubAttributes({
      'url.full': `https://graph.microsoft.com/v1.0/users/${OBJECT_ID}`,
      'http.target': "/v1.0/users?$filter=mail eq 'a@b.example'",
      'url.query': 'mail=a@b.example',
      'exception.message': 'Megan Bowen was not found',
      'http.request.header.authorization': ['Bearer x'],
      'client.address': '10.1.2.3',
      'az.namespace': 'Microsoft.DigitalTwins',
      'custom.note': `deleted ${OBJECT_ID} for megan.bowen@contoso.example`,
      'http.response.status_code': 404,
    });
    expect(scrubbed).toEqual({
      'url.full': 'https://graph.microsoft.com/v1.0/users/{id}',
      'http.target': '/v1.0/users?$filter',
      'url.query': '?mail',
      'az.namespace': 'Microsoft.DigitalTwins',
      'custom.note': 'deleted {guid} for {email}',
      'http.response.status_code': 404,
    });
  });

  it('scrubs a span name that holds a path, and leaves an operation name alone', () => {
    expect(scrubSpanName(`GET /v1.0/users/${OBJECT_ID}`)).toBe('GET /v1.0/users/{id}');
    expect(scrubSpanName('DigitalTwinsClient.queryTwins')).toBe('DigitalTwinsClient.queryTwins');
    expect(withoutIdentifiers(`for ${OBJECT_ID.toUpperCase()}`)).toBe('for {guid}');
  });
});
