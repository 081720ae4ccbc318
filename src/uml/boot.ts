// UML boot switches (uml-skas.md §2 "Switches"; the seed's start_up.c): nosysemu,
// nosysptvm, usesysemu, nosysptmulti. Unknown words are refused with a clear error.
export interface BootOptions {
  nosysemu: boolean;
  nosysptvm: boolean;
  usesysemu: boolean;
  nosysptmulti: boolean;
}

export class BootError extends Error {}

export function parseBoot(args: string): BootOptions {
  const o: BootOptions = { nosysemu: false, nosysptvm: false, usesysemu: false, nosysptmulti: false };
  for (const word of args.split(/\s+/).filter(Boolean)) {
    if (!(word in o)) throw new BootError(`boot: unknown switch '${word}' (known: nosysemu, nosysptvm, usesysemu, nosysptmulti)`);
    o[word as keyof BootOptions] = true;
  }
  return o;
}
