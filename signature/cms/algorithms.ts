// signature/pdf/placeholder.ts still imports newHash from here; the pdf/ module replaces that file.
export { newHash } from '../../asn1/index.ts';
