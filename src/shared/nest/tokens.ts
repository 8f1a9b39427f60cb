export const MODELMORA_OPTIONS = Symbol('MODELMORA_OPTIONS');
export const OPENED_DATABASE = Symbol('OPENED_DATABASE');
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
