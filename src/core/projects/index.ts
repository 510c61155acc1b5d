export * from './delegations';
export * from './diff';
export * from './names';
export * from './project-role';
export * from './target-custom';
export * from './deb-target';
export * from './key-rotation';
