import * as ACData from 'adaptivecards-templating';
import { Card } from '../../src/cards/render';
import approval from '../fixtures/cardTemplates/approval.json';
import compliance from '../fixtures/cardTemplates/compliance.json';
import exportReady from '../fixtures/cardTemplates/exportReady.json';
import help from '../fixtures/cardTemplates/help.json';
import intake from '../fixtures/cardTemplates/intake.json';
import receipt from '../fixtures/cardTemplates/receipt.json';
import report from '../fixtures/cardTemplates/report.json';
import requestDetails from '../fixtures/cardTemplates/requestDetails.json';
import requestList from '../fixtures/cardTemplates/requestList.json';
import status from '../fixtures/cardTemplates/status.json';

/**
 * The cards' former path, kept to check the typed layouts against: a JSON template expanded with a
 * view by adaptivecards-templating (the card equality test, the cardRender bench).
 */
const TEMPLATES = { approval, compliance, exportReady, help, intake, receipt, report, requestDetails, requestList, status };

export function templatedCard(template: keyof typeof TEMPLATES, view: object): Card {
  return new ACData.Template(TEMPLATES[template]).expand({ $root: view }) as Card;
}
