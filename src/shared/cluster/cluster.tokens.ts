/** This process's instance id (string), resolved from the options (see resolveInstanceId). */
export const INSTANCE_ID = Symbol('INSTANCE_ID');
/** `DedicatedConnectionFactory | null` (null on embedded PGlite). */
export const DEDICATED_CONNECTIONS = Symbol('DEDICATED_CONNECTIONS');
