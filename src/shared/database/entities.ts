/** Every TypeORM record (read models, results) of ModelMora. Contexts add theirs here. */
export const allEntities: Function[] = [];
