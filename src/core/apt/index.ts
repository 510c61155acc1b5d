export * from './apt-view';
export * from './packages-index';
export * from './packages-stanza';
export * from './release';
