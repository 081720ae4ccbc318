// UML's fatal conditions as exceptions of the model (a run that ends in a UML error message).
export class UmlFatal extends Error {}
