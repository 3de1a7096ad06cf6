/**
 * The PDFs the engine writes: the one-page dossier summary, the decision
 * letter and the leasing contract with its three empty signature fields.
 * Same input and same `now` give the same bytes. See docs/documents.md.
 */
export { renderDossierSummary, SUMMARY_TEXT_SIZES } from './dossier-summary.ts';
export { DocumentError, type DocumentErrorCode } from './errors.ts';
export { FONT_FILES, FONT_PACKAGE } from './fonts.ts';
export type * from './inputs.ts';
export { PRODUCER, type RenderOptions } from './pdf-document.ts';
export { renderDecisionLetter, DECLINE_REASONS } from './decision-letter.ts';
export { renderContract } from './contract.ts';
export { CONTRACT_SIGNATURE_FIELDS, SIGNATURE_BAND_HEIGHT, signatureField, type Rect, type SignatureFieldSpec, type SigningParty } from './signature-fields.ts';
export { renderEvidence, type EvidenceInput, type EvidenceSignature, type EvidenceEvent, type EvidenceVerdict, type EvidenceCertificate } from './evidence.ts';
