import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    /** As typed at registration. */
    username: p.string().length(32),
    /** Lower-cased username: the unique index that makes "Ada" and "ada" the same account. */
    usernameKey: p.string().length(32).unique(),
    passwordHash: p.string().length(60).hidden(),
    createdAt: p.datetime(),
  },
});

export type User = InferEntity<typeof UserSchema>;
