// The apt method protocol and the Vouch method's decisions, pure (the I/O lives in src/apt-method).
export * from './config';
export * from './protocol';
export * from './uri';
export * from './verify';
export * from './index-check';
