import { RequestKind } from '../dsr';

/**
 * What people type, per intent and language. Every pattern is matched against the
 * message after `normaliseForIntents` (lower case, accents dropped, ß as ss, one space
 * between words): write "loschen", not "löschen". All four languages are tried for
 * every message, whatever the person's locale, so a word that means something else in
 * another language stays out of these tables or is anchored (`^estado\b`, not "he estado").
 */
export type IntentLanguage = 'en' | 'de' | 'fr' | 'es';
export type Phrases = Record<IntentLanguage, RegExp>;

/** Lower case, accents and other combining marks dropped, ß as ss, typographic apostrophes as ', Spanish ¿ ¡ gone. */
export function normaliseForIntents(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[’‘]/g, "'")
    .replace(/[¿¡]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether the normalised message matches the phrases of any of the four languages. */
export function saysAny(phrases: Phrases, said: string): boolean {
  return Object.values(phrases).some((pattern) => pattern.test(said));
}

export const REGISTER_CHANNEL: ['approvals' | 'compliance', Phrases][] = [
  [
    'approvals',
    {
      en: /^register approvals\b/,
      de: /^(register|registriere|registrieren) (die )?(freigaben|genehmigungen)\b|^(die )?(freigaben|genehmigungen) registrieren\b/,
      fr: /^enregistrer (les )?(approbations|validations)\b/,
      es: /^registrar (las )?aprobaciones\b/,
    },
  ],
  [
    'compliance',
    {
      en: /^register compliance\b/,
      de: /^(register|registriere|registrieren) compliance\b|^compliance registrieren\b/,
      fr: /^enregistrer (la )?conformite\b/,
      es: /^registrar (el )?cumplimiento\b/,
    },
  ],
];

/** The whole message is the command: "I want to report a problem" is not the report. */
export const REPORT: Phrases = {
  en: /^((the|a|compliance|dsr) )?report[.!?]?$/,
  de: /^((der|ein) )?((compliance|dsr)[- ]?)?bericht[.!?]?$/,
  fr: /^((le|un) )?rapport( de conformite| dsr)?[.!?]?$/,
  es: /^((el|un) )?informe( de cumplimiento| dsr)?[.!?]?$/,
};

export const CANCEL: Phrases = {
  en: /\b(cancel|withdraw)\b/,
  // "ich ziehe meinen Antrag zurück": the separable verb, a few words apart.
  de: /\b(abbrechen|zuruckziehen|zurucknehmen|stornieren|storniere)\b|\bziehe( \S+){0,4} zuruck\b/,
  fr: /\b(annuler|annulez|annule|retirer|retirez)\b/,
  es: /\b(cancelar|cancela|cancelad|cancele|anular|anula|retirar|retira|retirad)\b/,
};

/** The word before a request id that asks for that request's card: "détails DSR-2026-0042". */
export const DETAILS_WORDS: Record<IntentLanguage, string[]> = {
  en: ['details', 'show'],
  de: ['details', 'zeige', 'zeig'],
  fr: ['details', 'detail', 'afficher'],
  es: ['detalles', 'detalle', 'mostrar'],
};

/** Approvers asking for the open requests: the whole message, so a question that mentions a queue is not one. */
export const QUEUE: Phrases = {
  en: /^(show )?(the |my )?((approval|review) )?queue[.!?]?$|^(all )?open requests[.!?]?$/,
  de: /^(zeige |zeig )?(die )?(freigabe-?)?warteschlange[.!?]?$|^(alle )?offenen? antrage[.!?]?$/,
  fr: /^(la )?file d'attente[.!?]?$|^(les |toutes les )?demandes (ouvertes|en attente)[.!?]?$/,
  es: /^(la )?cola( de aprobacion)?[.!?]?$|^(las |todas las )?solicitudes (abiertas|pendientes)[.!?]?$/,
};

export const STATUS: Phrases = {
  en: /\b(status|my requests|progress|where is|how far)\b/,
  de: /\b(status|meine (antrage|anfragen)|wo (ist|steht|bleibt) mein(e)? (antrag|anfrage)|wie weit ist mein(e)? (antrag|anfrage))\b/,
  fr: /\b(statut|mes demandes|ou en est ma demande|ou en sont mes demandes|suivi de ma demande)\b/,
  // Not "estado" anywhere: "he estado pensando" is small talk.
  es: /^estado\b|\b(estado de mis? solicitud(es)?|mis solicitudes|como va mi solicitud|donde esta mi solicitud)\b/,
};

/** Tried in this order: "delete the data I asked to export" is an erasure. */
export const REQUEST_KINDS: [RequestKind, Phrases][] = [
  [
    'erase',
    {
      en: /\b(delete|erase|remove|forget|forgotten|wipe|purge)\b|right to erasure/,
      de: /\b(losch|losche|loschen|loscht|loschung|entferne|entfernen|vergiss mich|vergesst mich|vergessenwerden)\b/,
      fr: /\b(supprimer|supprimez|supprime|suppression|effacer|effacez|efface|effacement|oubliez-moi|oublie-moi)\b|droit a l'oubli/,
      es: /\b(borrar|borra|borrad|borre|borrame|eliminar|elimina|eliminad|elimine|suprimir|suprime|suprimid|supresion|olvidadme|olvidame|olvidenme)\b|derecho al olvido/,
    },
  ],
  [
    'restrict',
    {
      en: /\b(restrict|stop (using|processing)|block|freeze)\b/,
      de: /\b(einschranken|einschrankung|sperren|hor auf|hort auf|horen sie auf)\b|\bnicht mehr (verwenden|verarbeiten|nutzen)\b/,
      fr: /\b(limiter|limitez|limitation|restreindre|bloquer|bloquez)\b|\b(arretez|arrete|cessez) (d'utiliser|de traiter)\b/,
      es: /\b(limitar|limita|limitad|limitacion|restringir|restringe|bloquear|bloquea)\b|\bdej(a|ad|e|en) de (usar|utilizar|tratar)\b/,
    },
  ],
  [
    'rectify',
    {
      // Not French "c'est correct" (that is fine) nor German "fix und fertig" (worn out).
      en: /\b((?<!c'est )correct|rectify|fix(?! und fertig)|wrong|outdated|incorrect|update)\b/,
      de: /\b(falsch|korrigiere|korrigieren|korrigiert|berichtige|berichtigen|berichtigung|veraltet|aktualisiere|aktualisieren|andern)\b/,
      fr: /\b(corriger|corrigez|corrige|rectifier|rectifiez|rectification|errone|erronee|incorrecte|inexact|inexacte|obsolete)\b/,
      es: /\b(corregir|corrige|corregid|corrija|rectificar|rectifica|rectificacion|incorrecto|incorrecta|erroneo|erronea|equivocado|equivocada|desactualizado|actualizar)\b/,
    },
  ],
  [
    'export',
    {
      en: /\b(export|copy|download|portab|take ?out|send me)/,
      de: /\b(exportiere|exportieren|kopie|herunterladen|runterladen|datenubertragbarkeit|ubertragbarkeit|schick mir|schickt mir)\b/,
      fr: /\b(exporter|exportez|copie|telecharger|telechargez|portabilite|envoyez-moi)\b/,
      es: /\b(exportar|exporta|exportad|copia|descargar|descarga|portabilidad|enviadme|enviame)\b/,
    },
  ],
  [
    'access',
    {
      // "see" only with what is to be seen: "an den See" is German small talk.
      en: /\b(access|see (my|what|all|everything)|view|what (data|information|do you (hold|have|keep|know)))\b|hold about me/,
      de: /\b(auskunft|einsicht|welche daten|was (speichert|speichern|habt|haben|wisst|wissen) (ihr|sie)|meine daten (sehen|einsehen|anzeigen))\b/,
      fr: /\b(droit d'acces|(acces|acceder) a mes donnees|voir mes donnees|quelles (donnees|informations)|que savez-vous)\b/,
      es: /\b(derecho de acceso|(acceso|acceder) a mis datos|ver mis datos|que (datos|informacion) (teneis|tienen|tienes|guardais|guardan))\b/,
    },
  ],
];

/** The word before the e-mail address of the person a request is about: "supprimer les données de bob@contoso.com". */
export const ABOUT_SOMEONE_WORDS: Record<IntentLanguage, string[]> = {
  en: ['for', 'of', 'about'],
  de: ['fur', 'von', 'uber'],
  fr: ['pour', 'de', 'sur'],
  es: ['para', 'de', 'sobre'],
};

export const HELP: Phrases = {
  en: /^(help|hi|hello|hey|start|menu|\?)\b|\bwhat can you do\b|^\?$/,
  de: /^(hilfe|hallo|moin|servus|guten (morgen|tag|abend))\b|\bwas (kannst du|konnen sie)\b|\b(hilf mir|(kannst du|konnen sie) mir helfen)\b/,
  fr: /^(aide|bonjour|bonsoir|salut)\b|\bque (peux-tu|pouvez-vous) faire\b|\bqu'est-ce que (tu peux|vous pouvez) faire\b|\b((peux-tu|pouvez-vous) m'aider|aidez-moi)\b/,
  es: /^(ayuda|hola|buenos dias|buenas tardes|buenas noches)\b|\bque (puedes|puede|podeis) hacer\b|\b((puedes|puede|podeis) ayudarme|ayudame)\b/,
};
