import { inSpan } from '@microservice-math/shared/tracing';
import bcrypt from 'bcryptjs';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares against `hash`, or against a dummy hash of the same cost when there is no user,
   *  so an unknown username takes as long to refuse as a wrong password. */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}

export async function createPasswordHasher(rounds: number): Promise<PasswordHasher> {
  const dummyHash = await bcrypt.hash(`dummy-${Math.random()}`, rounds);
  return {
    // bcrypt is where a login or registration spends its time: worth a span of its own. The
    // verify span records nothing that would tell an unknown username from a wrong password.
    hash: (password) =>
      inSpan('auth', 'auth.password.hash', {}, () => bcrypt.hash(password, rounds)),
    async verify(password, hash) {
      const matches = await inSpan('auth', 'auth.password.verify', {}, () =>
        bcrypt.compare(password, hash ?? dummyHash),
      );
      return matches && hash !== undefined;
    },
  };
}
