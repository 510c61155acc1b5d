export const HOME = Symbol('Home');
export const REPOSITORY = Symbol('Repository');
export const CHANGES = Symbol('ChangeService');
export const APT = Symbol('AptServing');
export const APT_FRONT = Symbol('AptFront');
