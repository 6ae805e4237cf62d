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
    hash: (password) => bcrypt.hash(password, rounds),
    async verify(password, hash) {
      const matches = await bcrypt.compare(password, hash ?? dummyHash);
      return matches && hash !== undefined;
    },
  };
}
