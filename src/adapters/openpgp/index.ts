// The apt archive key adapter: key generation, keyring bytes for gpgv, InRelease/Release.gpg signing.
export { generateArchiveKey, dearmorPublicKey, privateKeyFingerprint, publicPartOf, type GeneratedArchiveKey } from './archive-key';
export { ArchiveSigner } from './archive-signer';
