import { Intent, parseIntent } from '../../src/bot/intents';
import { RequestKind } from '../../src/dsr';

describe('parseIntent', () => {
  it.each(['help', 'HELP', '  Help  ', 'help me', 'hi', 'Hello', 'hey there', 'menu', 'start', '?', 'What can you do?'])('takes %p as a call for help', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'help' });
  });

  it.each<[string, RequestKind]>([
    ['export my data', 'export'],
    ['Export my data', 'export'],
    ['could I get a copy of everything you hold about me?', 'export'],
    ['I would like to download my data', 'export'],
    ['delete my data', 'erase'],
    ['Please erase me', 'erase'],
    ['I want to be forgotten', 'erase'],
    ['right to be forgotten', 'erase'],
    ['I invoke my right to erasure', 'erase'],
    ['what data do you hold about me', 'access'],
    ['What information do you have on me?', 'access'],
    ['I want to see my data', 'access'],
    ['my job title is wrong', 'rectify'],
    ['please correct my department', 'rectify'],
    ['stop processing my data', 'restrict'],
    ['stop using my data', 'restrict'],
    ['I want to restrict processing', 'restrict'],
  ])('takes %p as a request to %s', (text, kind) => {
    expect(parseIntent(text)).toEqual({ type: 'request', kind });
  });

  it.each(['status DSR-2026-0042', 'Status dsr-2026-0042?', 'where is DSR-2026-0042'])('takes %p as a status question about one request', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'status', requestId: 'DSR-2026-0042' });
  });

  it.each(['status', 'Status', 'where is my request?', 'show my requests'])('takes %p as a status question', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'status' });
  });

  it.each(['queue', 'Queue', 'the queue', 'show the queue', 'approval queue', 'open requests', 'queue.'])('takes %p as an approver asking for the queue', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'queue' });
  });

  it.each(['where am I in the queue for my export?', 'delete my data from the queue system'])('does not take %p for the queue', (text) => {
    expect(parseIntent(text).type).not.toBe('queue');
  });

  it('reads the request id of a cancellation, upper-cased', () => {
    expect(parseIntent('cancel DSR-2026-0042')).toEqual({ type: 'cancel', requestId: 'DSR-2026-0042' });
    expect(parseIntent('please cancel dsr-2026-0042 thanks')).toEqual({ type: 'cancel', requestId: 'DSR-2026-0042' });
    expect(parseIntent('withdraw DSR-2026-12345')).toEqual({ type: 'cancel', requestId: 'DSR-2026-12345' });
  });

  it('takes a cancellation without an id as a cancellation that still needs one', () => {
    expect(parseIntent('cancel')).toEqual({ type: 'cancel' });
    expect(parseIntent('cancel DSR-26-42')).toEqual({ type: 'cancel' });
  });

  it('takes a cancellation over the words of the request it cancels', () => {
    expect(parseIntent('cancel my delete request DSR-2026-0042')).toEqual({ type: 'cancel', requestId: 'DSR-2026-0042' });
  });

  it.each<[string, 'approvals' | 'compliance']>([
    ['register approvals', 'approvals'],
    ['Register Compliance', 'compliance'],
    ['  register   approvals  ', 'approvals'],
  ])('takes %p as registering a channel for %s', (text, role) => {
    expect(parseIntent(text)).toEqual({ type: 'register', role });
  });

  it.each(['', '   ', 'the weather is nice today', 'register', 'register payroll', 'asdfgh'])('does not guess at %p', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'unknown' });
  });

  it('parses a 20,000-character message from its start without throwing', () => {
    const text = `export my data ${'and some more words '.repeat(1000)} delete everything`;
    expect(text.length).toBeGreaterThan(20_000);
    expect(parseIntent(text)).toEqual({ type: 'request', kind: 'export' });
  });

  it('ignores a cancellation buried past the start of a very long message', () => {
    expect(parseIntent(`status ${'x'.repeat(20_000)} cancel DSR-2026-0042`)).toEqual({ type: 'status' });
  });
});

/** Every intent said the way people write it, with and without accents, in each language the bot reads. */
const SAID_IN: Record<'German' | 'French' | 'Spanish', [string, Intent][]> = {
  German: [
    ['hilfe', { type: 'help' }],
    ['Hallo!', { type: 'help' }],
    ['Guten Morgen', { type: 'help' }],
    ['was kannst du?', { type: 'help' }],
    ['Was können Sie?', { type: 'help' }],
    ['Kannst du mir helfen?', { type: 'help' }],
    ['Status', { type: 'status' }],
    ['wo ist mein Antrag?', { type: 'status' }],
    ['meine Anträge', { type: 'status' }],
    ['meine Antrage', { type: 'status' }],
    ['Status DSR-2026-0042', { type: 'status', requestId: 'DSR-2026-0042' }],
    ['Wo steht mein Antrag dsr-2026-0042?', { type: 'status', requestId: 'DSR-2026-0042' }],
    ['Warteschlange', { type: 'queue' }],
    ['die Warteschlange', { type: 'queue' }],
    ['offene Anträge', { type: 'queue' }],
    ['alle offenen Antrage', { type: 'queue' }],
    ['abbrechen', { type: 'cancel' }],
    ['Antrag DSR-2026-0042 zurückziehen', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['ich ziehe meinen Antrag DSR-2026-0042 zurück', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['stornieren DSR-2026-0042', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['Details DSR-2026-0042', { type: 'details', requestId: 'DSR-2026-0042' }],
    ['zeige dsr-2026-0042', { type: 'details', requestId: 'DSR-2026-0042' }],
    ['Register Freigaben', { type: 'register', role: 'approvals' }],
    ['Freigaben registrieren', { type: 'register', role: 'approvals' }],
    ['Compliance registrieren', { type: 'register', role: 'compliance' }],
    ['die Freigaben registrieren', { type: 'register', role: 'approvals' }],
    ['Bericht', { type: 'report' }],
    ['Compliance-Bericht', { type: 'report' }],
    ['exportiere meine Daten', { type: 'request', kind: 'export' }],
    ['ich möchte eine Kopie meiner Daten', { type: 'request', kind: 'export' }],
    ['Daten herunterladen', { type: 'request', kind: 'export' }],
    ['Datenübertragbarkeit', { type: 'request', kind: 'export' }],
    ['Datenubertragbarkeit', { type: 'request', kind: 'export' }],
    ['Auskunft', { type: 'request', kind: 'access' }],
    ['welche Daten habt ihr über mich?', { type: 'request', kind: 'access' }],
    ['Was speichert ihr uber mich', { type: 'request', kind: 'access' }],
    ['meine Abteilung ist falsch', { type: 'request', kind: 'rectify' }],
    ['korrigiere meinen Namen', { type: 'request', kind: 'rectify' }],
    ['meine Daten berichtigen', { type: 'request', kind: 'rectify' }],
    ['Verarbeitung einschränken', { type: 'request', kind: 'restrict' }],
    ['VERARBEITUNG EINSCHRANKEN', { type: 'request', kind: 'restrict' }],
    ['hört auf, meine Daten zu verwenden', { type: 'request', kind: 'restrict' }],
    ['lösche meine Daten', { type: 'request', kind: 'erase' }],
    ['Daten loschen', { type: 'request', kind: 'erase' }],
    ['DATEN LÖSCHEN', { type: 'request', kind: 'erase' }],
    ['vergiss mich', { type: 'request', kind: 'erase' }],
    ['Recht auf Vergessenwerden', { type: 'request', kind: 'erase' }],
    ['Antrag auf Löschung', { type: 'request', kind: 'erase' }],
    ['lösch meine Daten', { type: 'request', kind: 'erase' }],
    ['Einschränkung der Verarbeitung', { type: 'request', kind: 'restrict' }],
    ['hör auf, meine Daten zu verarbeiten', { type: 'request', kind: 'restrict' }],
    ['Berichtigung meiner Telefonnummer', { type: 'request', kind: 'rectify' }],
    ['ich will meine Daten einsehen', { type: 'request', kind: 'access' }],
    ['Daten löschen für bob@contoso.com', { type: 'request', kind: 'erase', forAddress: 'bob@contoso.com' }],
    ['Auskunft über Bob@Contoso.com', { type: 'request', kind: 'access', forAddress: 'bob@contoso.com' }],
    ['exportiere die Daten von bob@contoso.com', { type: 'request', kind: 'export', forAddress: 'bob@contoso.com' }],
  ],
  French: [
    ['aide', { type: 'help' }],
    ['Bonjour', { type: 'help' }],
    ['salut !', { type: 'help' }],
    ['que peux-tu faire ?', { type: 'help' }],
    ['pouvez-vous m’aider ?', { type: 'help' }],
    ["Qu’est-ce que vous pouvez faire ?", { type: 'help' }],
    ['statut', { type: 'status' }],
    ['où en est ma demande ?', { type: 'status' }],
    ['ou en est ma demande', { type: 'status' }],
    ['mes demandes', { type: 'status' }],
    ['statut DSR-2026-0042', { type: 'status', requestId: 'DSR-2026-0042' }],
    ["file d'attente", { type: 'queue' }],
    ['la file d’attente', { type: 'queue' }],
    ['demandes ouvertes', { type: 'queue' }],
    ['toutes les demandes en attente', { type: 'queue' }],
    ['annuler', { type: 'cancel' }],
    ['annuler DSR-2026-0042', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['je veux retirer ma demande dsr-2026-0042', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['détails DSR-2026-0042', { type: 'details', requestId: 'DSR-2026-0042' }],
    ['details dsr-2026-0042', { type: 'details', requestId: 'DSR-2026-0042' }],
    ['enregistrer approbations', { type: 'register', role: 'approvals' }],
    ['enregistrer conformité', { type: 'register', role: 'compliance' }],
    ['enregistrer les validations', { type: 'register', role: 'approvals' }],
    ['rapport', { type: 'report' }],
    ['le rapport de conformité', { type: 'report' }],
    ['exporter mes données', { type: 'request', kind: 'export' }],
    ['je veux une copie de mes données', { type: 'request', kind: 'export' }],
    ['télécharger mes données', { type: 'request', kind: 'export' }],
    ['telecharger mes donnees', { type: 'request', kind: 'export' }],
    ['portabilité', { type: 'request', kind: 'export' }],
    ["droit d'accès", { type: 'request', kind: 'access' }],
    ['Droit d’acces', { type: 'request', kind: 'access' }],
    ['quelles données avez-vous sur moi ?', { type: 'request', kind: 'access' }],
    ['corriger mon nom', { type: 'request', kind: 'rectify' }],
    ['mon poste est erroné', { type: 'request', kind: 'rectify' }],
    ['rectifier mes données', { type: 'request', kind: 'rectify' }],
    ['limiter le traitement', { type: 'request', kind: 'restrict' }],
    ['arrêtez d’utiliser mes données', { type: 'request', kind: 'restrict' }],
    ['supprimer mes données', { type: 'request', kind: 'erase' }],
    ['effacer mes données', { type: 'request', kind: 'erase' }],
    ['EFFACER MES DONNÉES', { type: 'request', kind: 'erase' }],
    ["droit à l'oubli", { type: 'request', kind: 'erase' }],
    ['oubliez-moi', { type: 'request', kind: 'erase' }],
    ['droit à l’effacement', { type: 'request', kind: 'erase' }],
    ['limitation du traitement', { type: 'request', kind: 'restrict' }],
    ['droit de rectification', { type: 'request', kind: 'rectify' }],
    ['je veux accéder à mes données', { type: 'request', kind: 'access' }],
    ['supprimer les données de bob@contoso.com', { type: 'request', kind: 'erase', forAddress: 'bob@contoso.com' }],
    ['exporter les données pour bob@contoso.com', { type: 'request', kind: 'export', forAddress: 'bob@contoso.com' }],
  ],
  Spanish: [
    ['ayuda', { type: 'help' }],
    ['¡Hola!', { type: 'help' }],
    ['buenos días', { type: 'help' }],
    ['¿qué puedes hacer?', { type: 'help' }],
    ['que puedes hacer', { type: 'help' }],
    ['¿puedes ayudarme?', { type: 'help' }],
    ['estado', { type: 'status' }],
    ['mis solicitudes', { type: 'status' }],
    ['¿cómo va mi solicitud?', { type: 'status' }],
    ['estado DSR-2026-0042', { type: 'status', requestId: 'DSR-2026-0042' }],
    ['cola', { type: 'queue' }],
    ['la cola', { type: 'queue' }],
    ['solicitudes abiertas', { type: 'queue' }],
    ['todas las solicitudes pendientes', { type: 'queue' }],
    ['cancelar', { type: 'cancel' }],
    ['cancelar DSR-2026-0042', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['quiero retirar mi solicitud dsr-2026-0042', { type: 'cancel', requestId: 'DSR-2026-0042' }],
    ['detalles DSR-2026-0042', { type: 'details', requestId: 'DSR-2026-0042' }],
    ['registrar aprobaciones', { type: 'register', role: 'approvals' }],
    ['registrar cumplimiento', { type: 'register', role: 'compliance' }],
    ['registrar las aprobaciones', { type: 'register', role: 'approvals' }],
    ['informe', { type: 'report' }],
    ['el informe de cumplimiento', { type: 'report' }],
    ['exportar mis datos', { type: 'request', kind: 'export' }],
    ['quiero una copia de mis datos', { type: 'request', kind: 'export' }],
    ['descargar mis datos', { type: 'request', kind: 'export' }],
    ['portabilidad', { type: 'request', kind: 'export' }],
    ['derecho de acceso', { type: 'request', kind: 'access' }],
    ['¿qué datos tenéis sobre mí?', { type: 'request', kind: 'access' }],
    ['que datos tienen de mi', { type: 'request', kind: 'access' }],
    ['corregir mi nombre', { type: 'request', kind: 'rectify' }],
    ['mi puesto es incorrecto', { type: 'request', kind: 'rectify' }],
    ['rectificar mis datos', { type: 'request', kind: 'rectify' }],
    ['limitar el tratamiento', { type: 'request', kind: 'restrict' }],
    ['dejad de usar mis datos', { type: 'request', kind: 'restrict' }],
    ['borrar mis datos', { type: 'request', kind: 'erase' }],
    ['eliminar mis datos', { type: 'request', kind: 'erase' }],
    ['suprimir', { type: 'request', kind: 'erase' }],
    ['derecho al olvido', { type: 'request', kind: 'erase' }],
    ['olvidadme', { type: 'request', kind: 'erase' }],
    ['derecho de supresión', { type: 'request', kind: 'erase' }],
    ['bórrame', { type: 'request', kind: 'erase' }],
    ['limitación del tratamiento', { type: 'request', kind: 'restrict' }],
    ['derecho de rectificación', { type: 'request', kind: 'rectify' }],
    ['quiero acceder a mis datos', { type: 'request', kind: 'access' }],
    ['BORRAR MIS DATOS', { type: 'request', kind: 'erase' }],
    ['borrar los datos de bob@contoso.com', { type: 'request', kind: 'erase', forAddress: 'bob@contoso.com' }],
    ['exportar los datos para bob@contoso.com', { type: 'request', kind: 'export', forAddress: 'bob@contoso.com' }],
  ],
};

describe.each(Object.entries(SAID_IN))('parseIntent in %s', (_language, cases) => {
  it.each(cases)('takes %p as %o', (text, intent) => {
    expect(parseIntent(text)).toEqual(intent);
  });
});

describe('parseIntent across languages', () => {
  it.each([
    // Small talk in each language, some of it with words the intents use elsewhere.
    'Wie geht es dir?',
    'Wir fahren am Wochenende an den See',
    'ich bin fix und fertig',
    "c'est correct, merci",
    'ich habe mein Passwort vergessen, kein Problem',
    'Comment ça va ?',
    'au revoir',
    'merci beaucoup',
    '¿Qué tal?',
    'he estado pensando en el fin de semana',
    'un dato curioso sobre el tiempo',
    'gracias',
  ])('does not guess at %p', (text) => {
    expect(parseIntent(text)).toEqual({ type: 'unknown' });
  });

  it.each([
    ['Hilfe beim Löschen meiner Daten', { type: 'request', kind: 'erase' }],
    ['hola, quiero borrar mis datos', { type: 'request', kind: 'erase' }],
    ['bonjour, je veux exporter mes données', { type: 'request', kind: 'export' }],
    ['meine Daten löschen und dann den Antrag abbrechen', { type: 'cancel' }],
  ] satisfies [string, Intent][])('keeps the order of intents for %p', (text, intent) => {
    expect(parseIntent(text)).toEqual(intent);
  });

  it.each(['wo stehe ich in der Warteschlange für meinen Export?', 'où en est la file d’attente pour mes données ?', '¿cuánto tarda la cola de mi exportación?'])('does not take %p for the queue', (text) => {
    expect(parseIntent(text).type).not.toBe('queue');
  });

  it.each(['Bericht über meine falsche Abteilung', 'je veux un rapport sur mes données', 'informe sobre mis datos'])('does not take %p as the report', (text) => {
    expect(parseIntent(text).type).not.toBe('report');
  });

  it('matches ß and ss alike', () => {
    expect(parseIntent('Grüß Gott, lösche meine Daten')).toEqual({ type: 'request', kind: 'erase' });
    expect(parseIntent('Daten von strasse@contoso.com löschen')).toEqual({ type: 'request', kind: 'erase', forAddress: 'strasse@contoso.com' });
  });
});
