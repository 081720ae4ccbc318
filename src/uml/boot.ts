// UML boot switches (uml-skas.md §2 "Switches"; the seed's start_up.c): nosysemu,
// nosysptvm, usesysemu, nosysptmulti. Unknown words are refused with a clear error.
// ptsim's own: `umh=N` / `noumh` (= umh=0) set how many usermode-helper host processes the
// boot makes before init (usermode-helper.ts); without either, the profile's default.
export interface BootOptions {
  nosysemu: boolean;
  nosysptvm: boolean;
  usesysemu: boolean;
  nosysptmulti: boolean;
  /** Usermode helpers at boot; null = the profile's default (profile.ts usermodeHelpersAtBoot). */
  umh: number | null;
}

export class BootError extends Error {}

/** Most helpers a boot may ask for (the real 6.1 boots made 464–618). */
export const UMH_MAX = 10_000;

const FLAGS = ['nosysemu', 'nosysptvm', 'usesysemu', 'nosysptmulti'] as const;

export function parseBoot(args: string): BootOptions {
  const o: BootOptions = { nosysemu: false, nosysptvm: false, usesysemu: false, nosysptmulti: false, umh: null };
  for (const word of args.split(/\s+/).filter(Boolean)) {
    const m = /^umh=(.*)$/.exec(word);
    if (m) {
      if (!/^\d+$/.test(m[1]!) || Number(m[1]) > UMH_MAX) throw new BootError(`boot: umh=N needs a whole number 0..${UMH_MAX}, got '${word}'`);
      o.umh = Number(m[1]);
    } else if (word === 'noumh') {
      o.umh = 0;
    } else if ((FLAGS as readonly string[]).includes(word)) {
      o[word as (typeof FLAGS)[number]] = true;
    } else {
      throw new BootError(`boot: unknown switch '${word}' (known: ${FLAGS.join(', ')}, umh=N, noumh)`);
    }
  }
  return o;
}
