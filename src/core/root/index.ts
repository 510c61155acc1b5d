export * from './root-edit';
