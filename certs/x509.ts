// @peculiar/x509 resolves to its CommonJS build under Node ESM, and that build needs the
// Reflect metadata polyfill loaded first: every module of certs/ imports x509 from here.
import 'reflect-metadata';
import crypto from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

export { x509 };
