// node-forge's modules one by one (the browser bundle takes only what it needs); they share forge's typings.
declare module 'node-forge/lib/forge.js' {
  import forge from 'node-forge';
  export default forge;
}
declare module 'node-forge/lib/asn1.js';
declare module 'node-forge/lib/des.js';
declare module 'node-forge/lib/rc2.js';
declare module 'node-forge/lib/sha1.js';
declare module 'node-forge/lib/sha256.js';
declare module 'node-forge/lib/sha512.js';
