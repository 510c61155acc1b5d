export * from './findings';
export * from './history';
export * from './report';
export * from './render';
