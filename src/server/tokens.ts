export const HOME = Symbol('Home');
export const REPOSITORY = Symbol('Repository');
export const CHANGES = Symbol('ChangeService');
